# Third-party dependencies, all from Debian's packages (installed by scripts/setup).
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(cpprestsdk REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(prometheus-cpp REQUIRED COMPONENTS core pull)
find_package(GTest REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBBPF REQUIRED IMPORTED_TARGET libbpf)

# cpprestsdk's U() macro collides with fmt 9; Limen never uses utility::string_t conversions.
add_compile_definitions(_TURN_OFF_PLATFORM_STRING)

# One target that carries cpprestsdk correctly: OpenSSL linked explicitly (the Debian
# package's config does not propagate it), headers as system headers.
add_library(limen_cpprest INTERFACE)
target_link_libraries(limen_cpprest INTERFACE cpprestsdk::cpprest OpenSSL::SSL OpenSSL::Crypto
                                              Threads::Threads)

# spdlog, fmt and yaml-cpp are linked statically, so that no binary maps libspdlog.so,
# libfmt.so or libyaml-cpp.so: each shared library costs its symbol tables, relocations and
# the pages around the code it runs, ≈ 0.9 MB of limen-webhook's resident memory for these
# three (docs/benchmarks.md, admission webhook), while the code a binary really calls is a
# fraction of that once linked in (and --gc-sections drops the rest in optimised builds).
#
# Debian ships no libspdlog.a or libfmt.a, but their headers carry the implementation
# (spdlog/*-inl.h, fmt/format-inl.h): cmake/spdlog_impl.cc and cmake/fmt_impl.cc compile it
# once, as upstream's src/ files do, with the definitions Debian's spdlog::spdlog target
# has (SPDLOG_COMPILED_LIB, SPDLOG_FMT_EXTERNAL; not SPDLOG_SHARED_LIB), so every other
# translation unit still compiles against the declarations only. The targets keep the
# package names (spdlog::spdlog, fmt::fmt) the CMakeLists use.
find_path(LIMEN_SPDLOG_INCLUDE spdlog/spdlog-inl.h REQUIRED)
find_path(LIMEN_FMT_INCLUDE fmt/format-inl.h REQUIRED)
add_library(limen_fmt STATIC ${CMAKE_CURRENT_LIST_DIR}/fmt_impl.cc)
target_include_directories(limen_fmt SYSTEM PUBLIC ${LIMEN_FMT_INCLUDE})
add_library(fmt::fmt ALIAS limen_fmt)
add_library(limen_spdlog STATIC ${CMAKE_CURRENT_LIST_DIR}/spdlog_impl.cc)
target_include_directories(limen_spdlog SYSTEM PUBLIC ${LIMEN_SPDLOG_INCLUDE})
target_compile_definitions(limen_spdlog PUBLIC SPDLOG_COMPILED_LIB SPDLOG_FMT_EXTERNAL)
target_link_libraries(limen_spdlog PUBLIC limen_fmt Threads::Threads)
add_library(spdlog::spdlog ALIAS limen_spdlog)

# yaml-cpp: Debian's package config only describes the shared library; libyaml-cpp.a
# (position-independent code, so it links into the PIE binaries) is in the same package.
find_path(LIMEN_YAML_CPP_INCLUDE yaml-cpp/yaml.h REQUIRED)
find_library(LIMEN_YAML_CPP_STATIC libyaml-cpp.a REQUIRED)
add_library(yaml-cpp STATIC IMPORTED)
set_target_properties(yaml-cpp PROPERTIES IMPORTED_LOCATION ${LIMEN_YAML_CPP_STATIC}
                                          INTERFACE_INCLUDE_DIRECTORIES ${LIMEN_YAML_CPP_INCLUDE})
