#include <tenuo/evaluate.hpp>
#include <tenuo/limits.hpp>

#include "corpus_util.hpp"
#include "detail/subpath.hpp"
#include "detail/url.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <vector>

using tenuo::Constraint;
using tenuo::ErrorCode;
using tenuo::Value;
namespace c = tenuo::c;

namespace {

enum class Want { Yes, No, Err };

struct Row {
  const char* what;
  Constraint c;
  Value v;
  Want want;
  ErrorCode code = ErrorCode::ConstraintViolation;
};

void run(const std::vector<Row>& rows) {
  for (const auto& r : rows) {
    CAPTURE(r.what);
    auto m = tenuo::evaluate(r.c, r.v);
    switch (r.want) {
      case Want::Yes:
        REQUIRE(m.has_value());
        CHECK(m->ok);
        CHECK(m->reason.empty());
        break;
      case Want::No:
        REQUIRE(m.has_value());
        CHECK_FALSE(m->ok);
        CHECK_FALSE(m->reason.empty());
        break;
      case Want::Err:
        REQUIRE_FALSE(m.has_value());
        CHECK(m.error().code == r.code);
        break;
    }
  }
}

Value list(std::initializer_list<Value> vs) { return Value(tenuo::List(vs)); }
Value obj(std::initializer_list<tenuo::Member> ms) { return Value::object(tenuo::Object(ms)); }
const double kNan = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

c::Range range(std::optional<double> lo, std::optional<double> hi, bool lo_inc = true, bool hi_inc = true) {
  return c::Range{lo, hi, lo_inc, hi_inc};
}

}  // namespace

TEST_SUITE("tenuo::evaluate") {
TEST_CASE("Wildcard and Exact") {
  run({
      {"wildcard string", c::Wildcard{}, "x", Want::Yes},
      {"wildcard null", c::Wildcard{}, Value(), Want::Yes},
      {"exact string", c::Exact{"a"}, "a", Want::Yes},
      {"exact other string", c::Exact{"a"}, "b", Want::No},
      {"exact int", c::Exact{1}, 1, Want::Yes},
      {"exact int vs float", c::Exact{1}, 1.0, Want::No},
      {"exact int vs string", c::Exact{1}, "1", Want::No},
      {"exact string vs int", c::Exact{"1"}, 1, Want::No},
      {"exact float", c::Exact{2.5}, 2.5, Want::Yes},
      {"exact NaN never equal", c::Exact{kNan}, kNan, Want::No},
      {"exact bool", c::Exact{true}, true, Want::Yes},
      {"exact bool vs int", c::Exact{true}, 1, Want::No},
      {"exact null", c::Exact{Value()}, Value(), Want::Yes},
      {"exact list", c::Exact{list({1, "a"})}, list({1, "a"}), Want::Yes},
      {"exact list order", c::Exact{list({1, "a"})}, list({"a", 1}), Want::No},
      {"exact object", c::Exact{obj({{"k", 1}})}, obj({{"k", 1}}), Want::Yes},
      {"exact object value", c::Exact{obj({{"k", 1}})}, obj({{"k", 2}}), Want::No},
      {"exact empty string", c::Exact{""}, "", Want::Yes},
  });
}

TEST_CASE("OneOf and NotOneOf") {
  run({
      {"oneof in", c::OneOf{{"a", "b"}}, "b", Want::Yes},
      {"oneof out", c::OneOf{{"a", "b"}}, "c", Want::No},
      {"oneof type strict", c::OneOf{{1, 2}}, "1", Want::No},
      {"oneof int vs float", c::OneOf{{1, 2}}, 2.0, Want::No},
      {"oneof empty set", c::OneOf{{}}, "a", Want::No},
      {"oneof list value", c::OneOf{{list({1})}}, list({1}), Want::Yes},
      {"notoneof out", c::NotOneOf{{"a"}}, "b", Want::Yes},
      {"notoneof in", c::NotOneOf{{"a"}}, "a", Want::No},
      {"notoneof other type", c::NotOneOf{{"1"}}, 1, Want::Yes},
      {"notoneof empty set", c::NotOneOf{{}}, "anything", Want::Yes},
      {"notoneof null", c::NotOneOf{{Value()}}, Value(), Want::No},
  });
}

TEST_CASE("Pattern") {
  run({
      {"prefix", c::Pattern{"/data/*"}, "/data/q3.pdf", Want::Yes},
      {"prefix crosses /", c::Pattern{"/data/*"}, "/data/a/b", Want::Yes},
      {"prefix miss", c::Pattern{"/data/*"}, "/etc/passwd", Want::No},
      {"whole string", c::Pattern{"a?c"}, "abcd", Want::No},
      {"empty pattern empty value", c::Pattern{""}, "", Want::Yes},
      {"empty pattern", c::Pattern{""}, "x", Want::No},
      {"case sensitive", c::Pattern{"ABC"}, "abc", Want::No},
      {"number value", c::Pattern{"*"}, 5, Want::No},
      {"null value", c::Pattern{"*"}, Value(), Want::No},
      {"list value", c::Pattern{"*"}, list({"a"}), Want::No},
      {"invalid ***", c::Pattern{"a***"}, "a", Want::Err},
      {"invalid [", c::Pattern{"[ab"}, "a", Want::Err},
      {"invalid a**", c::Pattern{"a**"}, "a", Want::Err},
  });
}

TEST_CASE("Regex") {
  run({
      {"unanchored", c::Regex{"b+"}, "abbbc", Want::Yes},
      {"anchored", c::Regex{"^b+$"}, "abbbc", Want::No},
      {"anchored ok", c::Regex{"^[a-z]+$"}, "abc", Want::Yes},
      {"unicode \\d", c::Regex{"^\\d+$"}, "\xd9\xa3\xd9\xa4", Want::Yes},  // Arabic-Indic ٣٤
      {"unicode \\w", c::Regex{"^\\w+$"}, "\xc3\xa9t\xc3\xa9", Want::Yes},
      {"unicode \\s", c::Regex{"^a\\sb$"}, "a\xe2\x80\x83" "b", Want::Yes},  // EM SPACE
      {"\\D excludes unicode digits", c::Regex{"^\\D$"}, "\xd9\xa3", Want::No},
      {"\\W", c::Regex{"^\\W$"}, "\xc3\xa9", Want::No},
      {"\\S", c::Regex{"^\\S$"}, "\xe2\x80\x83", Want::No},
      {"class with \\d", c::Regex{"^[\\d-]+$"}, "\xd9\xa3-1", Want::Yes},
      {"dot excludes newline", c::Regex{"^a.b$"}, "a\nb", Want::No},
      {"dot", c::Regex{"^a.b$"}, "a\xc3\xa9" "b", Want::Yes},
      {"$ is end of text", c::Regex{"a$"}, "a\n", Want::No},
      {"case-insensitive flag", c::Regex{"(?i)^abc$"}, "ABC", Want::Yes},
      {"escaped backslash-d", c::Regex{"^\\\\d$"}, "\\d", Want::Yes},
      {"number value", c::Regex{".*"}, 5, Want::No},
      {"empty string", c::Regex{"^$"}, "", Want::Yes},
      {"invalid", c::Regex{"(unclosed"}, "x", Want::Err},
      {"backreference", c::Regex{"(a)\\1"}, "aa", Want::Err},
      {"lookahead", c::Regex{"a(?=b)"}, "ab", Want::Err},
      {"nested class", c::Regex{"[a[b]]"}, "a", Want::Err},
      {"set operation", c::Regex{"[a-z&&b]"}, "b", Want::Err},
      {"\\Q", c::Regex{"\\Qa.b\\E"}, "a.b", Want::Err},
      {"negated perl class in bracket", c::Regex{"[\\W]"}, "a", Want::Err},
  });
}

TEST_CASE("Range") {
  run({
      {"inside", range(0.0, 10.0), 5, Want::Yes},
      {"float inside", range(0.0, 10.0), 9.5, Want::Yes},
      {"min inclusive", range(0.0, 10.0), 0, Want::Yes},
      {"max inclusive", range(0.0, 10.0), 10, Want::Yes},
      {"min exclusive", range(0.0, 10.0, false, true), 0, Want::No},
      {"max exclusive", range(0.0, 10.0, true, false), 10, Want::No},
      {"just inside exclusive", range(0.0, 10.0, false, false), 9.999, Want::Yes},
      {"below", range(0.0, 10.0), -1, Want::No},
      {"above", range(0.0, 10.0), 10.0001, Want::No},
      {"no min", range(std::nullopt, 10.0), -1e300, Want::Yes},
      {"no max", range(0.0, std::nullopt), 1e300, Want::Yes},
      {"unbounded", range(std::nullopt, std::nullopt), -5, Want::Yes},
      {"numeric string", range(0.0, 10.0), "5", Want::No},
      {"bool", range(0.0, 10.0), true, Want::No},
      {"null", range(0.0, 10.0), Value(), Want::No},
      {"NaN", range(std::nullopt, std::nullopt), kNan, Want::No},
      {"+inf", range(0.0, std::nullopt), kInf, Want::No},
      {"-inf", range(std::nullopt, 0.0), -kInf, Want::No},
      {"i64 max", range(0.0, std::nullopt), Value(std::numeric_limits<std::int64_t>::max()), Want::Yes},
      {"empty range", range(5.0, 1.0), 3, Want::No},
      {"NaN bound refuses", range(kNan, std::nullopt), 3, Want::No},
  });
}

TEST_CASE("Cidr") {
  run({
      {"v4 inside", c::Cidr{"10.0.0.0/8"}, "10.1.2.3", Want::Yes},
      {"v4 outside", c::Cidr{"10.0.0.0/8"}, "11.0.0.1", Want::No},
      {"v4 network address", c::Cidr{"10.0.0.0/8"}, "10.0.0.0", Want::Yes},
      {"v4 broadcast", c::Cidr{"10.0.0.0/8"}, "10.255.255.255", Want::Yes},
      {"host bits masked", c::Cidr{"192.168.1.77/24"}, "192.168.1.1", Want::Yes},
      {"no prefix", c::Cidr{"192.168.1.1"}, "192.168.1.1", Want::Yes},
      {"no prefix other", c::Cidr{"192.168.1.1"}, "192.168.1.2", Want::No},
      {"netmask prefix", c::Cidr{"10.0.0.0/255.255.0.0"}, "10.0.9.9", Want::Yes},
      {"v6 inside", c::Cidr{"2001:db8::/32"}, "2001:db8::1", Want::Yes},
      {"v6 outside", c::Cidr{"2001:db8::/32"}, "2001:db9::1", Want::No},
      {"v4 vs v6 network", c::Cidr{"::ffff:0:0/96"}, "10.0.0.1", Want::No},
      {"mapped vs v4 network", c::Cidr{"10.0.0.0/8"}, "::ffff:10.0.0.1", Want::No},
      {"all", c::Cidr{"0.0.0.0/0"}, "8.8.8.8", Want::Yes},
      {"number value", c::Cidr{"10.0.0.0/8"}, 167772161, Want::No},
      {"invalid ip", c::Cidr{"10.0.0.0/8"}, "10.0.0", Want::Err},
      {"leading zeros", c::Cidr{"10.0.0.0/8"}, "010.0.0.1", Want::Err},
      {"bracketed v6", c::Cidr{"::/0"}, "[::1]", Want::Err},
      {"zone id", c::Cidr{"fe80::/10"}, "fe80::1%eth0", Want::Err},
      {"invalid network", c::Cidr{"10.0.0.0/33"}, "10.0.0.1", Want::Err},
  });
}

TEST_CASE("UrlPattern") {
  run({
      {"exact host", c::UrlPattern{"https://example.com/*"}, "https://example.com/a", Want::Yes},
      {"host case", c::UrlPattern{"https://example.com/*"}, "https://EXAMPLE.com/a", Want::Yes},
      {"scheme", c::UrlPattern{"https://example.com/*"}, "http://example.com/a", Want::No},
      {"any scheme", c::UrlPattern{"*://example.com/*"}, "ftp://example.com/a", Want::Yes},
      {"wildcard host self", c::UrlPattern{"https://*.example.com/*"}, "https://example.com/x", Want::Yes},
      {"wildcard host sub", c::UrlPattern{"https://*.example.com/*"}, "https://a.b.example.com/x", Want::Yes},
      {"wildcard host other", c::UrlPattern{"https://*.example.com/*"}, "https://badexample.com/x", Want::No},
      {"userinfo trick", c::UrlPattern{"https://example.com/*"}, "https://example.com@evil.com/", Want::No},
      {"port any by default", c::UrlPattern{"https://example.com/*"}, "https://example.com:8443/x", Want::Yes},
      {"port pinned", c::UrlPattern{"https://example.com:8443/*"}, "https://example.com:8443/x", Want::Yes},
      {"port pinned other", c::UrlPattern{"https://example.com:8443/*"}, "https://example.com/x", Want::No},
      {"default port in pattern means any", c::UrlPattern{"https://example.com:443/*"}, "https://example.com:1/", Want::Yes},
      {"path glob", c::UrlPattern{"https://example.com/api/*"}, "https://example.com/api/v1/x", Want::Yes},
      {"path glob miss", c::UrlPattern{"https://example.com/api/*"}, "https://example.com/admin", Want::No},
      {"path normalised first", c::UrlPattern{"https://example.com/api/*"}, "https://example.com/api/../admin", Want::No},
      {"encoded dots normalised", c::UrlPattern{"https://example.com/api/*"}, "https://example.com/api/%2e%2e/admin", Want::No},
      {"exact path", c::UrlPattern{"https://example.com/a"}, "https://example.com/a", Want::Yes},
      {"exact path only", c::UrlPattern{"https://example.com/a"}, "https://example.com/a/b", Want::No},
      {"no path in pattern", c::UrlPattern{"https://example.com"}, "https://example.com/anything", Want::Yes},
      {"number value", c::UrlPattern{"https://example.com/*"}, 1, Want::No},
      {"unparsable url", c::UrlPattern{"https://example.com/*"}, "not a url", Want::Err},
      {"no host", c::UrlPattern{"*://*/*"}, "mailto:x@example.com", Want::No},
      {"invalid pattern", c::UrlPattern{"example.com"}, "https://example.com/", Want::Err},
  });
}

TEST_CASE("Contains and Subset") {
  run({
      {"contains all", c::Contains{{"a", "b"}}, list({"b", "c", "a"}), Want::Yes},
      {"contains missing", c::Contains{{"a", "b"}}, list({"a"}), Want::No},
      {"contains type strict", c::Contains{{1}}, list({1.0}), Want::No},
      {"contains empty required", c::Contains{{}}, list({}), Want::Yes},
      {"contains not a list", c::Contains{{"a"}}, "a", Want::No},
      {"subset ok", c::Subset{{"a", "b", "c"}}, list({"a", "c"}), Want::Yes},
      {"subset extra", c::Subset{{"a", "b"}}, list({"a", "x"}), Want::No},
      {"subset empty list", c::Subset{{"a"}}, list({}), Want::Yes},
      {"subset empty allowed", c::Subset{{}}, list({"a"}), Want::No},
      {"subset not a list", c::Subset{{"a"}}, "a", Want::No},
      {"subset duplicates", c::Subset{{"a"}}, list({"a", "a"}), Want::Yes},
  });
}

TEST_CASE("All, Any, Not") {
  const Constraint prefix = c::Pattern{"/data/*"};
  const Constraint pdf = c::Pattern{"*.pdf"};
  const Constraint bad = c::Pattern{"[oops"};
  run({
      {"all true", c::All{{prefix, pdf}}, "/data/x.pdf", Want::Yes},
      {"all one false", c::All{{prefix, pdf}}, "/data/x.txt", Want::No},
      {"all empty is an error", c::All{{}}, "x", Want::Err},
      {"all error propagates", c::All{{prefix, bad}}, "/data/x", Want::Err},
      {"all false before error", c::All{{pdf, bad}}, "/data/x", Want::No},
      {"any one true", c::Any{{prefix, pdf}}, "/etc/x.pdf", Want::Yes},
      {"any none", c::Any{{prefix, pdf}}, "/etc/x", Want::No},
      {"any empty", c::Any{{}}, "x", Want::No},
      {"any error before match", c::Any{{bad, prefix}}, "/data/x", Want::Err},
      {"any match before error", c::Any{{prefix, bad}}, "/data/x", Want::Yes},
      {"not", tenuo::make_not(prefix), "/etc/x", Want::Yes},
      {"not matching", tenuo::make_not(prefix), "/data/x", Want::No},
      {"not error", tenuo::make_not(bad), "x", Want::Err},
      {"not wildcard", tenuo::make_not(c::Wildcard{}), "x", Want::No},
      {"unknown", c::Unknown{42, {}}, "x", Want::Err},
      {"not unknown", tenuo::make_not(c::Unknown{42, {}}), "x", Want::Err},
  });
}

TEST_CASE("Cel") {
  run({
      {"bound as value", c::Cel{"value > 3", {}}, 5, Want::Yes},
      {"false", c::Cel{"value > 3", {}}, 2, Want::No},
      {"object fields", c::Cel{"amount < 100 && currency == 'EUR'", {}}, obj({{"amount", 5}, {"currency", "EUR"}}), Want::Yes},
      {"non-bool", c::Cel{"value + 1", {}}, 1, Want::Err},
      {"type error", c::Cel{"value > 3", {}}, "x", Want::Err},
      {"syntax error", c::Cel{"value >", {}}, 1, Want::Err},
  });
}

TEST_CASE("Subpath, UrlSafe and Shlex") {
  run({
      {"subpath inside", c::Subpath{"/data", true, true}, "/data/x", Want::Yes},
      {"subpath escape", c::Subpath{"/data", true, true}, "/data/../etc", Want::No},
      {"subpath number", c::Subpath{"/data", true, true}, 5, Want::No},
      {"subpath empty", c::Subpath{"/data", true, true}, "", Want::No},
      {"urlsafe public", c::UrlSafe{}, "https://example.com/", Want::Yes},
      {"urlsafe metadata", c::UrlSafe{}, "http://169.254.169.254/", Want::No},
      {"urlsafe number", c::UrlSafe{}, 2130706433, Want::No},
      {"urlsafe garbage", c::UrlSafe{}, "::::", Want::No},
      {"shlex ok", c::Shlex{{"ls"}}, "ls -la /tmp", Want::Yes},
      {"shlex chain", c::Shlex{{"ls"}}, "ls; rm -rf /", Want::No},
      {"shlex list value", c::Shlex{{"ls"}}, list({"ls"}), Want::No},
      {"shlex empty allow", c::Shlex{{}}, "ls", Want::No},
  });
}

TEST_CASE("reasons say what went wrong") {
  auto sub = tenuo::evaluate(c::Subpath{"/tmp", true, true}, "/tmp/../etc/passwd");
  REQUIRE(sub.has_value());
  CHECK(sub->reason.find("/etc/passwd") != std::string::npos);
  auto ssrf = tenuo::evaluate(c::UrlSafe{}, "http://0x7f000001/");
  REQUIRE(ssrf.has_value());
  CHECK(ssrf->reason.find("127.0.0.1") != std::string::npos);
  CHECK(ssrf->reason.find("block_loopback") != std::string::npos);
  auto sh = tenuo::evaluate(c::Shlex{{"grep"}}, "grep x | sh");
  REQUIRE(sh.has_value());
  CHECK(sh->reason.find('|') != std::string::npos);
  auto rg = tenuo::evaluate(c::Range{0.0, 10.0, true, false}, 10);
  REQUIRE(rg.has_value());
  CHECK(rg->reason.find("maximum") != std::string::npos);
}

TEST_CASE("hostile: a regex over a 1 MiB argument runs in linear time") {
  const std::string big(1 << 20, 'a');
  // Catastrophic for a backtracking engine; linear for RE2.
  auto m = tenuo::evaluate(c::Regex{"^(a+)+$"}, big + "!");
  REQUIRE(m.has_value());
  CHECK_FALSE(m->ok);
  auto m2 = tenuo::evaluate(c::Regex{"(a|aa)*b"}, Value(big));
  REQUIRE(m2.has_value());
  CHECK_FALSE(m2->ok);
  auto m3 = tenuo::evaluate(c::Regex{"a{100}$"}, Value(big));
  REQUIRE(m3.has_value());
  CHECK(m3->ok);
  // An oversized program is refused, not built.
  auto m4 = tenuo::evaluate(c::Regex{"((((a{100}){100}){100}){100})"}, "a");
  REQUIRE_FALSE(m4.has_value());
  CHECK(m4.error().code == ErrorCode::ConstraintViolation);
}

TEST_CASE("hostile: the path-traversal corpus never escapes Subpath(\"/data\")") {
  const c::Subpath data{"/data", true, true};
  const auto corpus = tenuo_test::read_corpus("path_traversal.txt");
  REQUIRE(corpus.size() >= 200);
  // Independent oracle: every reading a consumer might apply must stay under /data.
  auto inside = [](const std::string& p) {
    auto n = tenuo::detail::normalize_subpath(p);
    return n && (*n == "/data" || n->rfind("/data/", 0) == 0);
  };
  auto fold = [](std::string s) {
    const std::pair<const char*, const char*> map[] = {
        {"\xef\xbc\x8e", "."}, {"\xe2\x80\xa4", "."}, {"\xef\xb9\x92", "."}, {"\xe2\x80\xa5", ".."},
        {"\xe2\x80\xa6", "..."}, {"\xef\xbc\x8f", "/"}, {"\xef\xbc\xbc", "\\"}, {"\xef\xb9\xa8", "\\"}};
    for (const auto& [from, to] : map)
      for (std::size_t at; (at = s.find(from)) != std::string::npos;) s.replace(at, std::strlen(from), to);
    return s;
  };
  std::size_t accepted = 0;
  std::size_t escapes = 0;
  for (const auto& p : corpus) {
    CAPTURE(p);
    auto m = tenuo::evaluate(data, p);
    REQUIRE(m.has_value());
    if (!m->ok) continue;
    ++accepted;
    const std::string d1 = tenuo::detail::percent_decode(p);
    const std::string d2 = tenuo::detail::percent_decode(d1);
    const bool safe = p.find('\0') == std::string::npos && inside(p) && inside(d1) && inside(d2) &&
                      inside(fold(p)) && inside(fold(d1)) && inside(fold(d2)) &&
                      d2.find('\0') == std::string::npos;
    CHECK(safe);
    escapes += safe ? 0 : 1;
  }
  CHECK(escapes == 0);
  CHECK(accepted < corpus.size() / 4);  // the corpus is mostly real escapes
  MESSAGE("path traversal corpus: " << corpus.size() << " cases, " << accepted << " accepted, 0 escapes");
}

TEST_CASE("hostile: nesting at the depth limit") {
  Constraint leaf = c::Pattern{"/data/*"};
  Constraint deep = leaf;
  for (std::size_t i = 0; i < tenuo::kMaxConstraintDepth; ++i) deep = tenuo::make_not(deep);
  // 32 Nots (even): same verdict as the leaf.
  auto m = tenuo::evaluate(deep, "/data/x");
  REQUIRE(m.has_value());
  CHECK(m->ok);
  Constraint too_deep = tenuo::make_not(deep);
  auto e = tenuo::evaluate(too_deep, "/data/x");
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().code == ErrorCode::TooManyConstraints);

  // Alternating All/Any, 32 levels, each with a few siblings.
  Constraint tree = leaf;
  for (std::size_t i = 0; i < tenuo::kMaxConstraintDepth; ++i) {
    if (i % 2)
      tree = c::All{{tree, c::Wildcard{}, c::Pattern{"*"}}};
    else
      tree = c::Any{{c::Exact{"nope"}, tree}};
  }
  auto t = tenuo::evaluate(tree, "/data/y");
  REQUIRE(t.has_value());
  CHECK(t->ok);
  auto f = tenuo::evaluate(tree, "/etc/y");
  REQUIRE(f.has_value());
  CHECK_FALSE(f->ok);

  // A hand-built tree far deeper than any decoder allows is refused, not recursed into.
  Constraint huge = leaf;
  for (int i = 0; i < 2000; ++i) {
    std::vector<Constraint> one;
    one.push_back(std::move(huge));
    huge = c::All{std::move(one)};
  }
  auto h = tenuo::evaluate(huge, "/data/x");
  REQUIRE_FALSE(h.has_value());
  CHECK(h.error().code == ErrorCode::TooManyConstraints);
}
}
