# Small helpers so each library is declared with its tests right beside it.
#
#   limen_library(NAME <name> SOURCES ... [DEPS ...] [PUBLIC_INCLUDE <dir>])
#     A static library `limen_<name>` (alias limen::<name>); headers under include/.
#   limen_test(NAME <name> SOURCES ... [DEPS ...] [LABELS unit|integration|bpf|e2e]
#              [FIXTURES ...] [ENV ...] [TIMEOUT s])
#     A GoogleTest binary registered with ctest under its label (default: unit).
#   limen_binary(NAME <name> SOURCES ... [DEPS ...])
#     A product executable.

# Sanitizer settings every test runs with (only matter in the Asan build).
set(LIMEN_SANITIZER_ENV
  "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/cmake/lsan.supp:print_suppressions=0"
  "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"
  "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1")

function(limen_target_defaults target)
  target_compile_options(${target} PRIVATE ${LIMEN_WARNINGS})
endfunction()

function(limen_library)
  cmake_parse_arguments(L "" "NAME;PUBLIC_INCLUDE" "SOURCES;DEPS" ${ARGN})
  set(target limen_${L_NAME})
  if(NOT L_PUBLIC_INCLUDE)
    set(L_PUBLIC_INCLUDE ${CMAKE_CURRENT_SOURCE_DIR}/include)
  endif()
  if(L_SOURCES)
    add_library(${target} STATIC ${L_SOURCES})
    target_include_directories(${target} PUBLIC ${L_PUBLIC_INCLUDE})
    target_link_libraries(${target} PUBLIC ${L_DEPS})
    limen_target_defaults(${target})
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${L_PUBLIC_INCLUDE})
    target_link_libraries(${target} INTERFACE ${L_DEPS})
  endif()
  add_library(limen::${L_NAME} ALIAS ${target})
endfunction()

function(limen_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;DEPS;LABELS;FIXTURES;ENV" ${ARGN})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set(target test_${T_NAME})
  add_executable(${target} ${T_SOURCES})
  target_link_libraries(${target} PRIVATE ${T_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  limen_target_defaults(${target})
  add_test(NAME ${T_NAME} COMMAND ${target} --gtest_color=no)
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "${LIMEN_SANITIZER_ENV};${T_ENV}")
  if(T_FIXTURES)
    set_tests_properties(${T_NAME} PROPERTIES FIXTURES_REQUIRED "${T_FIXTURES}")
  endif()
endfunction()

function(limen_binary)
  cmake_parse_arguments(B "" "NAME" "SOURCES;DEPS" ${ARGN})
  add_executable(${B_NAME} ${B_SOURCES})
  target_link_libraries(${B_NAME} PRIVATE ${B_DEPS})
  limen_target_defaults(${B_NAME})
endfunction()

#   limen_fuzzer(NAME <name> SOURCES ... [DEPS ...] CORPUS <dir>)
#     A fuzz target defining LLVMFuzzerTestOneInput. Always registered with ctest (label
#     unit) as a replay of its seed corpus, under the sanitizers of the build; with clang and
#     -DLIMEN_FUZZ=ON a real libFuzzer binary `fuzz_<name>` is built as well.
option(LIMEN_FUZZ "Build libFuzzer binaries (requires clang)" OFF)
function(limen_fuzzer)
  cmake_parse_arguments(F "" "NAME;CORPUS" "SOURCES;DEPS" ${ARGN})
  set(replay fuzz_replay_${F_NAME})
  add_executable(${replay} ${F_SOURCES} ${PROJECT_SOURCE_DIR}/cmake/fuzz_replay_main.cc)
  target_link_libraries(${replay} PRIVATE ${F_DEPS})
  limen_target_defaults(${replay})
  add_test(NAME fuzz_corpus.${F_NAME} COMMAND ${replay} ${F_CORPUS})
  set_tests_properties(fuzz_corpus.${F_NAME} PROPERTIES LABELS unit TIMEOUT 300
    ENVIRONMENT "${LIMEN_SANITIZER_ENV}")
  if(LIMEN_FUZZ)
    add_executable(fuzz_${F_NAME} ${F_SOURCES})
    target_link_libraries(fuzz_${F_NAME} PRIVATE ${F_DEPS})
    target_compile_options(fuzz_${F_NAME} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(fuzz_${F_NAME} PRIVATE -fsanitize=fuzzer,address,undefined)
  endif()
endfunction()

#   limen_script_test(NAME <name> COMMAND <script> [args...] [LABELS ...] [FIXTURES ...]
#                     [ENV ...] [TIMEOUT s])
#     A test that is a script (bash) driving real clients such as kubectl and helm. The
#     script gets LIMEN_ROOT, and PATH with the tools of scripts/setup first.
function(limen_script_test)
  cmake_parse_arguments(S "" "NAME;TIMEOUT" "COMMAND;LABELS;FIXTURES;ENV" ${ARGN})
  if(NOT S_TIMEOUT)
    set(S_TIMEOUT 300)
  endif()
  add_test(NAME ${S_NAME} COMMAND ${S_COMMAND})
  set_tests_properties(${S_NAME} PROPERTIES LABELS "${S_LABELS}" TIMEOUT ${S_TIMEOUT}
    ENVIRONMENT "LIMEN_ROOT=${PROJECT_SOURCE_DIR};LIMEN_BUILD_DIR=${CMAKE_BINARY_DIR};${LIMEN_SANITIZER_ENV};${S_ENV}")
  if(S_FIXTURES)
    set_tests_properties(${S_NAME} PROPERTIES FIXTURES_REQUIRED "${S_FIXTURES}")
  endif()
endfunction()
