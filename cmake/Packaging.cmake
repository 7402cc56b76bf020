# The Debian package (`cpack -G DEB`, run by ci/package from the release preset's build).
# Depends is computed by dpkg-shlibdeps from the binary's NEEDED libraries, never written here.
install(FILES README.md DESTINATION share/doc/pgdrift)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME pgdrift)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES OFF)  # the release preset's binary is stripped already (PGDRIFT_SPLIT_DEBUG)
set(CPACK_PACKAGE_CONTACT "pgdrift maintainers <pgdrift@users.noreply.github.com>")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # pgdrift_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The local sandbox runs PostgreSQL's server binaries (any major, found under
# /usr/lib/postgresql/<N>/bin); --base runs git. Neither is needed with the server backend.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "postgresql, git, ca-certificates")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "pgdrift replays every migration on a throwaway PostgreSQL, lints it, and compares the result with target databases and the declared schema.")
include(CPack)
