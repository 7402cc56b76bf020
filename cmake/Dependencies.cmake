# Every dependency is a Debian package installed by ci/install-deps; nothing is downloaded at build time.
#
# PGDRIFT_STATIC_DEPS (ON in the release preset, which ci/package ships) links statically what
# Debian ships as a static archive: libpg_query (libpg_query.a), yaml-cpp (libyaml-cpp.a),
# Boost.Filesystem (libboost_filesystem.a) and fmt (Debian's libfmt-dev has no libfmt.a: its
# compiled part, cmake/fmt_format.cpp, is built here once). Dynamic stay glibc, libstdc++/libgcc, libpq (libpq5), libcurl (libcurl4: its own
# dependencies — nghttp2, libidn2, librtmp, libssh2, libpsl, GSSAPI, LDAP — have no static
# archives in Debian) and OpenSSL's libcrypto (libssl3, which libpq5 and libcurl4 need anyway).
option(PGDRIFT_STATIC_DEPS "Link libpg_query, yaml-cpp, Boost and fmt statically" OFF)

find_package(Threads REQUIRED)
find_package(fmt REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
if(PGDRIFT_STATIC_DEPS)
  set(Boost_USE_STATIC_LIBS ON)
endif()
find_package(Boost 1.74 REQUIRED COMPONENTS filesystem)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(CURL REQUIRED)  # util/http.cpp: the pull request comment (--github-comment)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)

# libpg_query ships neither pkg-config nor CMake files on Debian; yaml-cpp's CMake target is the
# shared library only, so the static archive is found by name.
find_path(PG_QUERY_INCLUDE_DIR pg_query.h REQUIRED)
if(PGDRIFT_STATIC_DEPS)
  find_library(PG_QUERY_LIBRARY NAMES libpg_query.a REQUIRED)
  find_path(YAML_CPP_STATIC_INCLUDE_DIR yaml-cpp/yaml.h REQUIRED)
  find_library(YAML_CPP_STATIC_LIBRARY NAMES libyaml-cpp.a REQUIRED)
  add_library(pgdrift::yaml-cpp STATIC IMPORTED)
  set_target_properties(pgdrift::yaml-cpp PROPERTIES
    IMPORTED_LOCATION "${YAML_CPP_STATIC_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${YAML_CPP_STATIC_INCLUDE_DIR}")
  # fmt's compiled part, built once (cmake/fmt_format.cpp): Debian has no libfmt.a.
  add_library(pgdrift_fmt STATIC "${CMAKE_CURRENT_LIST_DIR}/fmt_format.cpp")
  target_include_directories(pgdrift_fmt SYSTEM PUBLIC
    $<TARGET_PROPERTY:fmt::fmt,INTERFACE_INCLUDE_DIRECTORIES>)
  add_library(pgdrift::fmt ALIAS pgdrift_fmt)
else()
  find_library(PG_QUERY_LIBRARY NAMES pg_query REQUIRED)
  find_package(yaml-cpp REQUIRED)
  add_library(pgdrift::yaml-cpp ALIAS yaml-cpp)
  add_library(pgdrift::fmt ALIAS fmt::fmt)
endif()
add_library(pg_query::pg_query UNKNOWN IMPORTED)
set_target_properties(pg_query::pg_query PROPERTIES
  IMPORTED_LOCATION "${PG_QUERY_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${PG_QUERY_INCLUDE_DIR}")

if(PGDRIFT_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
