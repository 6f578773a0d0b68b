# eBPF build support, modelled on libbpf-bootstrap's tools/cmake/FindBpfObject.cmake.
#
#   bpf_object(NAME <name> SOURCE <file.bpf.c> [INCLUDES dir...] [DEPENDS file...])
#     Compiles <file.bpf.c> with clang -target bpf (CO-RE, BTF debug info), generates its
#     skeleton with `bpftool gen skeleton`, and declares the INTERFACE target
#     `limen_bpf_<name>` (alias limen::bpf_<name>) whose include directory holds
#     <name>.skel.h. Linking it brings libbpf.
#
# vmlinux.h is generated at build time from the build machine's BTF
# (/sys/kernel/btf/vmlinux, override with -DLIMEN_VMLINUX_BTF=...) and is never committed:
# CO-RE relocations make the object portable to other kernels anyway.
find_program(LIMEN_BPF_CLANG NAMES clang-14 clang REQUIRED)
find_program(LIMEN_BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)
set(LIMEN_VMLINUX_BTF /sys/kernel/btf/vmlinux CACHE FILEPATH "Kernel BTF used to generate vmlinux.h")

if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  set(LIMEN_BPF_ARCH x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
  set(LIMEN_BPF_ARCH arm64)
else()
  message(FATAL_ERROR "bpf_object: unsupported architecture ${CMAKE_SYSTEM_PROCESSOR}")
endif()

set(LIMEN_BPF_GEN_DIR ${CMAKE_BINARY_DIR}/bpf-gen)
set(LIMEN_VMLINUX_H ${LIMEN_BPF_GEN_DIR}/vmlinux/vmlinux.h)
add_custom_command(
  OUTPUT ${LIMEN_VMLINUX_H}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${LIMEN_BPF_GEN_DIR}/vmlinux
  COMMAND ${LIMEN_BPFTOOL} btf dump file ${LIMEN_VMLINUX_BTF} format c > ${LIMEN_VMLINUX_H}.tmp
  COMMAND ${CMAKE_COMMAND} -E rename ${LIMEN_VMLINUX_H}.tmp ${LIMEN_VMLINUX_H}
  COMMENT "Generating vmlinux.h from ${LIMEN_VMLINUX_BTF}"
  VERBATIM)
add_custom_target(limen_vmlinux_h DEPENDS ${LIMEN_VMLINUX_H})

function(bpf_object)
  cmake_parse_arguments(B "" "NAME;SOURCE" "INCLUDES;DEPENDS" ${ARGN})
  get_filename_component(src ${B_SOURCE} ABSOLUTE)
  set(out_dir ${LIMEN_BPF_GEN_DIR}/${B_NAME})
  set(obj ${out_dir}/${B_NAME}.bpf.o)
  set(skel ${out_dir}/${B_NAME}.skel.h)
  set(include_flags -I${LIMEN_BPF_GEN_DIR}/vmlinux)
  foreach(dir ${B_INCLUDES})
    get_filename_component(abs ${dir} ABSOLUTE)
    list(APPEND include_flags -I${abs})
  endforeach()
  # -g is required: libbpf needs the object's BTF for CO-RE relocations and BTF-defined maps.
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out_dir}
    COMMAND ${LIMEN_BPF_CLANG} -g -O2 -target bpf -D__TARGET_ARCH_${LIMEN_BPF_ARCH}
            -Wall -Werror ${include_flags} -MD -MF ${obj}.d -c ${src} -o ${obj}
    DEPENDS ${src} ${LIMEN_VMLINUX_H} ${B_DEPENDS}
    DEPFILE ${obj}.d
    COMMENT "BPF object ${B_NAME}"
    VERBATIM)
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${LIMEN_BPFTOOL} gen skeleton ${obj} name ${B_NAME} > ${skel}.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${skel}.tmp ${skel}
    DEPENDS ${obj}
    COMMENT "BPF skeleton ${B_NAME}.skel.h"
    VERBATIM)
  add_custom_target(limen_bpf_${B_NAME}_skel DEPENDS ${skel})
  add_library(limen_bpf_${B_NAME} INTERFACE)
  add_dependencies(limen_bpf_${B_NAME} limen_bpf_${B_NAME}_skel)
  # SYSTEM: the generated skeleton is not held to Limen's warning flags.
  target_include_directories(limen_bpf_${B_NAME} SYSTEM INTERFACE ${out_dir})
  target_link_libraries(limen_bpf_${B_NAME} INTERFACE PkgConfig::LIBBPF)
  add_library(limen::bpf_${B_NAME} ALIAS limen_bpf_${B_NAME})
endfunction()
