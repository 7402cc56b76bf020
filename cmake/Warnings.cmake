# Warnings are errors in a git checkout and in CI; packagers building a tarball get plain warnings.
if(EXISTS "${PROJECT_SOURCE_DIR}/.git" OR DEFINED ENV{CI})
  set(_pgdrift_werror_default ON)
else()
  set(_pgdrift_werror_default OFF)
endif()
option(PGDRIFT_WERROR "Treat compiler warnings as errors" ${_pgdrift_werror_default})

set(PGDRIFT_WARNING_FLAGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual)
if(PGDRIFT_WERROR)
  list(APPEND PGDRIFT_WARNING_FLAGS -Werror)
endif()
