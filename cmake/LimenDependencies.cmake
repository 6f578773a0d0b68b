# Third-party dependencies, all from Debian's packages (installed by scripts/setup).
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(cpprestsdk REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
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
