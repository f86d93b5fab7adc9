#include "detail/glob.hpp"

#include <doctest/doctest.h>

#include <string>

using tenuo::ErrorCode;
using tenuo::detail::Glob;
using tenuo::detail::glob_matches;

TEST_SUITE("tenuo::glob") {
TEST_CASE("matches like the reference glob library with default options") {
  struct Row { const char* pattern; const char* text; bool match; };
  const Row rows[] = {
      {"abc", "abc", true},
      {"abc", "abcd", false},
      {"abc", "ABC", false},  // case-sensitive
      {"a?c", "abc", true},
      {"a?c", "ac", false},
      {"a?c", "a/c", true},  // ? matches a separator
      {"*", "", true},
      {"*", "anything/at/all", true},
      {"/data/*", "/data/x", true},
      {"/data/*", "/data/x/y/z", true},  // * crosses '/'
      {"/data/*", "/data", false},
      {"/data/*", "/database", false},
      {"*.txt", "a.txt", true},
      {"*.txt", "dir/a.txt", true},
      {"*.txt", "a.txt.bak", false},
      {"a*b*c", "abc", true},
      {"a*b*c", "aXXbYYc", true},
      {"a*b*c", "aXXbYY", false},
      {"a*b*c", "acb", false},
      {"[abc]", "b", true},
      {"[abc]", "d", false},
      {"[a-z]x", "qx", true},
      {"[a-z]x", "Qx", false},
      {"[!a-z]x", "Qx", true},
      {"[!a-z]x", "qx", false},
      {"[]]", "]", true},
      {"[!]]", "]", false},
      {"[!]]", "a", true},
      {"[abc-]", "-", true},
      {"[-a]", "-", true},
      {"[*]", "*", true},
      {"[*]", "x", false},
      {"[?]", "?", true},
      {"[?]", "x", false},
      {"]", "]", true},
      {"a]", "a]", true},
      {"**", "a/b/c", true},
      {"**", "", true},
      {"**/x", "x", true},
      {"**/x", "a/b/x", true},
      {"**/x", "a/bx", false},
      {"a/**", "a/", true},
      {"a/**", "a/b/c", true},
      {"a/**", "ab", false},
      {"a/**/b", "a/b", true},
      {"a/**/b", "a/x/y/b", true},
      {"a/**/b", "a/xb", false},
      {"a/**/b", "a/x/yb", false},
      {"\xc3\xa9?", "\xc3\xa9\xe2\x82\xac", true},  // per Unicode scalar: é€
      {"??", "\xc3\xa9", false},                    // é is one scalar, not two bytes
      {"[\xc3\xa0-\xc3\xbf]", "\xc3\xa9", true},    // [à-ÿ] contains é
      {"\\*", "\\abc", true},                        // no escape character
  };
  for (const auto& r : rows) {
    CAPTURE(r.pattern);
    CAPTURE(r.text);
    auto m = glob_matches(r.pattern, r.text);
    REQUIRE(m.has_value());
    CHECK(*m == r.match);
  }
}

TEST_CASE("invalid patterns are errors (1501)") {
  for (const char* p : {"a**", "**b", "***", "a/***", "a**/b", "a/**b", "[", "[abc", "[!", "[!]", "[]", "x[]"}) {
    CAPTURE(p);
    auto g = Glob::compile(p);
    REQUIRE_FALSE(g.has_value());
    CHECK(g.error().code == ErrorCode::ConstraintViolation);
  }
}

TEST_CASE("tokens expose the structure used by attenuation") {
  auto g = Glob::compile("a[bc]*");
  REQUIRE(g.has_value());
  REQUIRE(g->tokens().size() == 3);
  CHECK(g->tokens()[0].kind == tenuo::detail::GlobToken::Kind::Char);
  CHECK(g->tokens()[1].kind == tenuo::detail::GlobToken::Kind::AnyWithin);
  CHECK(g->tokens()[2].is_star());
}

TEST_CASE("long texts with many stars stay linear") {
  const std::string text(1 << 20, 'a');
  auto m = glob_matches("*a*a*a*a*a*a*a*a*a*a*b", text);
  REQUIRE(m.has_value());
  CHECK_FALSE(*m);
  auto m2 = glob_matches("*a*a*a*a*a*a*a*a*a*a", text);
  REQUIRE(m2.has_value());
  CHECK(*m2);
}
}
