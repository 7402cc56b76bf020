#include <gtest/gtest.h>

#include "pgdrift/util/error.hpp"
#include "pgdrift/util/hash.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::util {
namespace {

TEST(LineCol, CountsLinesAndCodePoints) {
  const std::string text = "ab\ncd\n\xC3\xA9x";  // é is two bytes
  EXPECT_EQ((LineCol{1, 1}), line_col(text, 0));
  EXPECT_EQ((LineCol{1, 3}), line_col(text, 2));
  EXPECT_EQ((LineCol{2, 1}), line_col(text, 3));
  EXPECT_EQ((LineCol{3, 2}), line_col(text, 8));  // the x after é
  EXPECT_EQ((LineCol{3, 3}), line_col(text, 999));
}

TEST(ByteOffsetOfChar, SkipsMultibyteSequences) {
  const std::string text = "\xC3\xA9t\xC3\xA9";
  EXPECT_EQ(0u, byte_offset_of_char(text, 0));
  EXPECT_EQ(2u, byte_offset_of_char(text, 1));
  EXPECT_EQ(3u, byte_offset_of_char(text, 2));
  EXPECT_EQ(5u, byte_offset_of_char(text, 3));
}

TEST(FindInvalidUtf8, FindsFirstBadByte) {
  EXPECT_FALSE(find_invalid_utf8("plain \xE2\x82\xAC ok"));
  EXPECT_EQ(std::optional<std::size_t>(3), find_invalid_utf8("abc\xFF"));
  EXPECT_EQ(std::optional<std::size_t>(1), find_invalid_utf8("a\xC3"));        // truncated
  EXPECT_EQ(std::optional<std::size_t>(0), find_invalid_utf8("\xC0\xAF"));      // overlong
  EXPECT_EQ(std::optional<std::size_t>(0), find_invalid_utf8("\xED\xA0\x80"));  // surrogate
}

TEST(NaturalLess, ComparesDigitRunsAsNumbers) {
  EXPECT_TRUE(natural_less("2_b.sql", "10_a.sql"));
  EXPECT_FALSE(natural_less("10_a.sql", "2_b.sql"));
  EXPECT_TRUE(natural_less("001", "2"));
  EXPECT_TRUE(natural_less("a", "b"));
  EXPECT_TRUE(natural_less("99999999999999999999999", "100000000000000000000000"));
}

TEST(SplitCommandLine, HonoursQuotesWithoutAShell) {
  EXPECT_EQ((std::vector<std::string>{"alembic", "upgrade", "head"}),
            split_command_line("alembic  upgrade head"));
  EXPECT_EQ((std::vector<std::string>{"sh", "-c", "echo $HOME; x", "a b"}),
            split_command_line("sh -c 'echo $HOME; x' \"a b\""));
  EXPECT_EQ((std::vector<std::string>{"a\"b"}), split_command_line(R"("a\"b")"));
  EXPECT_THROW(split_command_line("echo 'open"), Error);
}

TEST(Sha256, MatchesKnownDigest) {
  EXPECT_EQ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", sha256_hex(""));
  EXPECT_EQ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", sha256_hex("abc"));
}

}  // namespace
}  // namespace pgdrift::util

namespace pgdrift::util {
namespace {

// The obvious O(n) walk from the start, as a reference for LineIndex.
LineCol reference_line_col(std::string_view text, std::size_t offset) {
  LineCol pos;
  for (std::size_t i = 0; i < std::min(offset, text.size()); ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      pos.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++pos.column;
    }
  }
  return pos;
}

TEST(LineIndex, AgreesWithAWalkFromTheStartAtEveryOffset) {
  const std::string text = "\n\nSELECT 'caf\xC3\xA9';\n-- \xE2\x82\xAC\n\nCREATE TABLE t (id int);\nlast line without newline";
  const LineIndex index(text);
  for (std::size_t offset = 0; offset <= text.size() + 2; ++offset) {
    EXPECT_EQ(reference_line_col(text, offset), index.at(offset)) << "offset " << offset;
  }
  EXPECT_EQ((LineCol{1, 1}), LineIndex("").at(0));
}

}  // namespace
}  // namespace pgdrift::util
