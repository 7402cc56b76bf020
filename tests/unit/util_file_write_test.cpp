#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "pgdrift/util/error.hpp"
#include "pgdrift/util/file_write.hpp"
#include "pgdrift/util/temp_dir.hpp"
#include "support/temp_tree.hpp"

namespace pgdrift::util {
namespace {

namespace fs = std::filesystem;
using pgdrift::testing::names_in;
using pgdrift::testing::slurp;


// The Error `action` throws; fails the test when it throws none.
Error error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no pgdrift::Error thrown";
  return infra_error("");
}

// While alive, files of this process cannot grow past `bytes` (write() fails with EFBIG).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &m_saved);
    m_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = m_saved;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &m_saved);
    std::signal(SIGXFSZ, m_handler);
  }

 private:
  rlimit m_saved{};
  void (*m_handler)(int) = nullptr;
};

TEST(WriteFileAtomically, WritesTheWholeFileAndLeavesNothingElse) {
  TempDir dir(fs::temp_directory_path(), "pgdrift-write-");
  const std::string content(100000, 'x');
  write_file_atomically(dir.path() / "report.xml", content);
  EXPECT_EQ(content, slurp(dir.path() / "report.xml"));
  EXPECT_EQ(std::vector<std::string>{"report.xml"}, names_in(dir.path()));
}

TEST(WriteFileAtomically, ReplacesAnExistingFileKeepingItsMode) {
  TempDir dir(fs::temp_directory_path(), "pgdrift-write-");
  const auto file = dir.path() / "report.json";
  std::ofstream(file) << "an old and longer report\n";
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  write_file_atomically(file, "new\n");
  EXPECT_EQ("new\n", slurp(file));
  struct stat info {};
  ASSERT_EQ(0, stat(file.c_str(), &info));
  EXPECT_EQ(0640u, info.st_mode & 07777);
  EXPECT_EQ(std::vector<std::string>{"report.json"}, names_in(dir.path()));
}

TEST(WriteFileAtomically, AFailedWriteLeavesTheOldFileAndNoTemporaryFile) {
  TempDir dir(fs::temp_directory_path(), "pgdrift-write-");
  const auto file = dir.path() / "junit.xml";
  std::ofstream(file) << "<old/>\n";
  Error error = infra_error("");
  {
    const FileSizeLimit limit(4096);  // as a full disk would, halfway through
    error = error_of([&] { write_file_atomically(file, std::string(20000, 'x')); });
  }
  EXPECT_EQ(ExitCode::infrastructure, error.exit_code());
  EXPECT_NE(std::string::npos, std::string(error.what()).find("cannot write " + file.string() + ": File too large"))
      << error.what();
  EXPECT_EQ("<old/>\n", slurp(file));
  EXPECT_EQ(std::vector<std::string>{"junit.xml"}, names_in(dir.path()));
}

TEST(WriteFileAtomically, AMissingDirectoryOrADirectoryInTheWayIsAnInfrastructureError) {
  TempDir dir(fs::temp_directory_path(), "pgdrift-write-");
  const auto missing = dir.path() / "no-such-dir" / "report.sarif";
  const auto error = error_of([&] { write_file_atomically(missing, "{}"); });
  EXPECT_EQ(ExitCode::infrastructure, error.exit_code());
  EXPECT_NE(std::string::npos, std::string(error.what()).find(missing.string())) << error.what();
  EXPECT_NE(std::string::npos, std::string(error.what()).find("No such file or directory")) << error.what();

  fs::create_directory(dir.path() / "out");
  const auto in_the_way = error_of([&] { write_file_atomically(dir.path() / "out", "{}"); });
  EXPECT_NE(std::string::npos, std::string(in_the_way.what()).find("Is a directory")) << in_the_way.what();
  EXPECT_TRUE(fs::is_directory(dir.path() / "out"));
}

TEST(WriteFileAtomically, ADeviceIsWrittenInPlaceAndItsErrorsReported) {
  write_file_atomically("/dev/null", "ignored");  // not replaced by a regular file
  struct stat info {};
  ASSERT_EQ(0, stat("/dev/null", &info));
  EXPECT_TRUE(S_ISCHR(info.st_mode));
  const auto error = error_of([] { write_file_atomically("/dev/full", "x"); });
  EXPECT_EQ("cannot write /dev/full: No space left on device", std::string(error.what()));
}

TEST(WriteFileAtomically, ASymlinkKeepsPointingAtTheNewContent) {
  TempDir dir(fs::temp_directory_path(), "pgdrift-write-");
  std::ofstream(dir.path() / "real.json") << "old";
  fs::create_symlink("real.json", dir.path() / "link.json");
  write_file_atomically(dir.path() / "link.json", "new");
  EXPECT_TRUE(fs::is_symlink(dir.path() / "link.json"));
  EXPECT_EQ("new", slurp(dir.path() / "real.json"));
}

TEST(AppendToFile, AppendsAndReportsErrors) {
  TempDir dir(fs::temp_directory_path(), "pgdrift-write-");
  const auto file = dir.path() / "summary.md";
  std::ofstream(file) << "earlier step\n";
  append_to_file(file, "pgdrift\n");
  EXPECT_EQ("earlier step\npgdrift\n", slurp(file));
  const auto error = error_of([] { append_to_file("/dev/full", "x"); });
  EXPECT_EQ("cannot append to /dev/full: No space left on device", std::string(error.what()));
}

}  // namespace
}  // namespace pgdrift::util
