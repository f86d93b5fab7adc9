#include "detail/subpath.hpp"
#include "detail/unicode_case.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>

using tenuo::detail::normalize_subpath;
using tenuo::detail::subpath_check;
namespace c = tenuo::c;

TEST_SUITE("tenuo::subpath") {
TEST_CASE("lexical normalisation") {
  struct Row { const char* in; std::optional<std::string> out; };
  const Row rows[] = {
      {"/", "/"},
      {"/a/b", "/a/b"},
      {"/a//b/", "/a/b"},
      {"/a/./b/.", "/a/b"},
      {"/a/../b", "/b"},
      {"/../../etc", "/etc"},
      {"/a\\..\\..\\b", "/b"},
      {"/a/b/..", "/a"},
      {"C:\\x\\..\\y", "C:/y"},
      {"c:/x/./y", "c:/x/y"},
      {"relative/x", std::nullopt},
      {"", std::nullopt},
      {"\\x", std::nullopt},
      {"C:", std::nullopt},
      {"C:x", std::nullopt},
      {"~/x", std::nullopt},
  };
  for (const auto& r : rows) {
    CAPTURE(r.in);
    CHECK(normalize_subpath(r.in) == r.out);
  }
  CHECK_FALSE(normalize_subpath(std::string("/a\0b", 4)).has_value());
}

TEST_CASE("containment, allow_equal and case sensitivity") {
  const c::Subpath data{"/data", true, true};
  const c::Subpath strict{"/data", true, false};
  const c::Subpath ci{"/Data", false, true};
  const c::Subpath slash{"/data/", true, true};
  struct Row { const c::Subpath* s; const char* path; bool ok; };
  const Row rows[] = {
      {&data, "/data", true},
      {&data, "/data/", true},
      {&data, "/data/x", true},
      {&data, "/data/x/../y", true},
      {&data, "/data/../etc/passwd", false},
      {&data, "/database", false},
      {&data, "/DATA/x", false},
      {&data, "data/x", false},
      {&data, "/data/x/../../etc", false},
      {&strict, "/data", false},
      {&strict, "/data/./", false},
      {&strict, "/data/x", true},
      {&ci, "/DATA/x", true},
      {&ci, "/data", true},
      {&ci, "/datax", false},
      {&slash, "/data", true},
      {&slash, "/data/y", true},
      // Stricter readings: percent-decoding and look-alike folding must stay inside too.
      {&data, "/data/%2e%2e/etc", false},
      {&data, "/data/%252e%252e/etc", false},
      {&data, "/data/..%2fetc", false},
      {&data, "/data/%2e%2e%5cetc", false},
      {&data, "/data/100%25/x", true},
      {&data, "/data/a%2fb", true},
      {&data, "/data/\xef\xbc\x8e\xef\xbc\x8e/etc", false},  // fullwidth ．．
      {&data, "/data/\xe2\x80\xa5/etc", false},              // two-dot leader ‥
      {&data, "/data/a\xe2\x80\xa4" "b", true},              // one-dot leader inside a name
  };
  for (const auto& r : rows) {
    CAPTURE(r.path);
    auto v = subpath_check(*r.s, r.path);
    CHECK(v.ok == r.ok);
    CHECK(v.reason.empty() == r.ok);
  }
  auto v = subpath_check(data, "/data/../etc/passwd");
  CHECK(v.normalized == "/etc/passwd");
}

TEST_CASE("unicode lowercase follows Rust's to_lowercase") {
  using tenuo::detail::unicode_lower;
  CHECK(unicode_lower("ABC/def") == "abc/def");
  CHECK(unicode_lower("\xc3\x89T\xc3\x89") == "\xc3\xa9t\xc3\xa9");               // ÉTÉ
  CHECK(unicode_lower("\xce\x9f\xce\xa3") == "\xce\xbf\xcf\x82");                 // ΟΣ -> ος
  CHECK(unicode_lower("\xce\x9f\xce\xa3\xce\x9f") == "\xce\xbf\xcf\x83\xce\xbf");  // ΟΣΟ -> οσο
  CHECK(unicode_lower("\xce\xa3") == "\xcf\x83");                                 // lone Σ -> σ
  CHECK(unicode_lower("\xc4\xb0") == "i\xcc\x87");                                // İ -> i̇
  CHECK(unicode_lower("\xe2\x84\xaa") == "k");                                    // Kelvin sign
  CHECK_FALSE(unicode_lower("\xff").has_value());
}
}
