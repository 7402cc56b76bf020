#pragma once

#include <filesystem>
#include <string_view>

namespace pgdrift::util {

// Replaces `path` with `content` so a reader sees the old file or the whole new one, never a
// part: written to ".<name>.pgdrift-XXXXXX" in the same directory, fsync'ed, renamed over
// `path`. On failure (and on SIGINT/SIGTERM meanwhile) the temporary file is removed and `path`
// is untouched. A symlink's target is replaced; a path that exists but is not a regular file
// (/dev/stdout, a FIFO) is written in place. Throws pgdrift::Error (infrastructure) naming
// `path` and the OS error.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// Appends `content` to `path` (created when missing): for files other steps append to as well
// ($GITHUB_STEP_SUMMARY, $GITHUB_OUTPUT). Throws pgdrift::Error (infrastructure) naming `path`
// and the OS error.
void append_to_file(const std::filesystem::path& path, std::string_view content);

}  // namespace pgdrift::util
