# Third-party libraries, all from Debian's -dev packages (tools/install-deps installs them).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)
find_package(RocksDB CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
find_package(Boost REQUIRED COMPONENTS program_options)
find_package(GTest REQUIRED)
pkg_check_modules(URING REQUIRED IMPORTED_TARGET liburing)
pkg_check_modules(ISAL REQUIRED IMPORTED_TARGET libisal)
pkg_check_modules(FUSE3 REQUIRED IMPORTED_TARGET fuse3)
pkg_check_modules(GSSAPI REQUIRED IMPORTED_TARGET krb5-gssapi krb5)  # MIT Kerberos (libkrb5-dev)
pkg_check_modules(SASL REQUIRED IMPORTED_TARGET libsasl2)  # Cyrus SASL (libsasl2-dev): DIGEST-MD5 for delegation tokens

find_program(GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
