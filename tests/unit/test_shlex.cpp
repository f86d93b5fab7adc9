#include "detail/shlex.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using tenuo::detail::posix_normpath;
using tenuo::detail::shlex_check;
using tenuo::detail::shlex_split;
using tenuo::detail::ShlexToken;

TEST_SUITE("tenuo::shlex") {
TEST_CASE("tokenises like POSIX shlex with punctuation chars") {
  using T = std::vector<ShlexToken>;
  struct Row { const char* in; T out; };
  const Row rows[] = {
      {"grep x f", {{"grep", false}, {"x", false}, {"f", false}}},
      {"grep \"a;b\" f", {{"grep", false}, {"a;b", false}, {"f", false}}},
      {"grep x\\&y f", {{"grep", false}, {"x&y", false}, {"f", false}}},
      {"a'b c'd", {{"ab cd", false}}},
      {"a \"\\a\\\"\" b", {{"a", false}, {"\\a\"", false}, {"b", false}}},
      {"a&&b", {{"a", false}, {"&&", true}, {"b", false}}},
      {"x (y)", {{"x", false}, {"(", true}, {"y", false}, {")", true}}},
      {"a,b{c}!d*", {{"a,b{c}!d*", false}}},
      {"a \"\" b", {{"a", false}, {"", false}, {"b", false}}},
      {"x>y", {{"x", false}, {">", true}, {"y", false}}},
      {"a\\ b", {{"a b", false}}},
      {"#x y", {}},
      {"a #x y", {{"a", false}}},
      {"a#b c", {{"a#b", false}, {"c", false}}},  // '#' inside a word is literal
      {"f#1; rm", {{"f#1", false}, {";", true}, {"rm", false}}},
      {"a\t\tb", {{"a", false}, {"b", false}}},
      {"'#' x", {{"#", false}, {"x", false}}},
  };
  for (const auto& r : rows) {
    CAPTURE(r.in);
    auto t = shlex_split(r.in);
    REQUIRE(t.has_value());
    CHECK(*t == r.out);
  }
  for (const char* bad : {"grep \"x f", "a 'b", "a\\", "\"a\\"}) {
    CAPTURE(bad);
    auto t = shlex_split(bad);
    REQUIRE_FALSE(t.has_value());
    CHECK(t.error().code == tenuo::ErrorCode::ConstraintViolation);
  }
}

TEST_CASE("normpath") {
  CHECK(posix_normpath("/usr/local/../bin/grep") == "/usr/bin/grep");
  CHECK(posix_normpath("./grep,x") == "grep,x");
  CHECK(posix_normpath("//a//b/") == "//a/b");
  CHECK(posix_normpath("///a") == "/a");
  CHECK(posix_normpath("../x") == "../x");
  CHECK(posix_normpath("a/../..") == "..");
  CHECK(posix_normpath("/..") == "/");
  CHECK(posix_normpath("") == ".");
}

TEST_CASE("WIRE.md examples and the other rules") {
  const std::vector<std::string> grep{"grep"};
  struct Row { const char* cmd; bool ok; };
  const Row rows[] = {
      {"grep \"a;b\" f", true},
      {"grep x\\&y f", true},
      {"/usr/local/../bin/grep x", true},
      {"grep x f#1; rm f", false},
      {"./grep,x f", false},
      {"grep \"x f", false},
      {"grep", true},
      {"'grep' -r x .", true},
      {"/bin/grep x", true},
      {"grep x | sh", false},
      {"grep x > f", false},
      {"grep x & ", false},
      {"grep $(id)", false},
      {"grep '$HOME'", false},   // '$' anywhere, even quoted
      {"grep \\`id\\`", false},  // backtick anywhere, even escaped
      {"grep x\nrm f", false},
      {"grep x\rrm", false},
      {"grep\x0bx", false},
      {"grep\x01x", false},  // stricter: every C0 control but tab
      {"grep\tx", true},
      {"", false},
      {"   ", false},
      {"# grep", false},
      {"rm -rf /", false},
      {"grepx", false},
      {"../grep x", false},         // stricter: climbs above the working directory
      {"../../tmp/grep x", false},
      {"egrep x", false},
      {"GREP x", false},
      {"grep\\ x", false},
      {"\"grep x\"", false},
  };
  for (const auto& r : rows) {
    CAPTURE(r.cmd);
    auto v = shlex_check(grep, r.cmd);
    CHECK(v.ok == r.ok);
    CHECK(v.reason.empty() == r.ok);
  }
  CHECK(shlex_check({"/usr/bin/grep"}, "/usr/bin/grep x").ok);
  CHECK_FALSE(shlex_check({"/usr/bin/grep"}, "grep x").ok);
  CHECK_FALSE(shlex_check({}, "grep x").ok);
  CHECK_FALSE(shlex_check({""}, "'' x").ok);  // empty allow entries never match
}
}
