#pragma once

#include <string>
#include <string_view>

namespace pgdrift::report {

// Text fit for a CI report (JUnit, Code Quality, SARIF, workflow commands): removes ANSI escape
// sequences (CSI "ESC [ … final", OSC "ESC ] … BEL|ST", and two-byte "ESC x"), C0 control
// characters except '\n' and '\t', DEL and C1 controls (U+0080–U+009F); replaces bytes that are
// not valid UTF-8, and U+FFFE/U+FFFF (not allowed in XML), with U+FFFD. Everything else is kept.
std::string strip_control(std::string_view text);

// Text for the human output, where a line starting with "::" is a GitHub workflow command: C0
// control characters except '\t', DEL and C1 controls (U+0080–U+009F) become visible escapes
// ("\n", "\r", "\x1b", "\u0085"), so a name can neither start a line nor drive the terminal.
// Everything else is kept as it is (bytes that are not valid UTF-8 too).
std::string escape_control(std::string_view text);

}  // namespace pgdrift::report
