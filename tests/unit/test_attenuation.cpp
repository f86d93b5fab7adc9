#include <tenuo/attenuation.hpp>
#include <tenuo/evaluate.hpp>
#include <tenuo/limits.hpp>

#include <doctest/doctest.h>

#include <limits>
#include <optional>
#include <string>
#include <vector>

using tenuo::Constraint;
using tenuo::ConstraintSet;
using tenuo::ErrorCode;
using tenuo::Value;
namespace c = tenuo::c;

namespace {

struct Row {
  const char* what;
  Constraint parent;
  Constraint child;
  std::optional<ErrorCode> want;  // nullopt = accepted
};

void run(const std::vector<Row>& rows) {
  for (const auto& r : rows) {
    const std::string what = r.what;
    CAPTURE(what);
    auto res = tenuo::check_attenuation(r.parent, r.child);
    if (!r.want) {
      CHECK(res.has_value());
      if (!res) MESSAGE(res.error().message);
    } else {
      REQUIRE_FALSE(res.has_value());
      CHECK(res.error().code == *r.want);
      CHECK_FALSE(res.error().message.empty());
    }
  }
}

constexpr auto k1501 = ErrorCode::ConstraintViolation;
constexpr auto k1502 = ErrorCode::InvalidAttenuation;
constexpr auto k1503 = ErrorCode::CapabilityExpansion;

Value list(std::initializer_list<Value> vs) { return Value(tenuo::List(vs)); }
c::Range range(std::optional<double> lo, std::optional<double> hi, bool lo_inc = true, bool hi_inc = true) {
  return c::Range{lo, hi, lo_inc, hi_inc};
}
c::UrlSafe url_safe() { return c::UrlSafe{}; }

}  // namespace

TEST_SUITE("tenuo::attenuation") {
TEST_CASE("Wildcard rows come first") {
  run({
      {"wildcard -> anything", c::Wildcard{}, c::Pattern{"x"}, std::nullopt},
      {"wildcard -> unknown", c::Wildcard{}, c::Unknown{42, {}}, std::nullopt},
      {"wildcard -> wildcard", c::Wildcard{}, c::Wildcard{}, std::nullopt},
      {"wildcard -> empty all", c::Wildcard{}, c::All{{}}, std::nullopt},
      {"pattern -> wildcard", c::Pattern{"*"}, c::Wildcard{}, k1503},
      {"unknown -> wildcard", c::Unknown{42, {}}, c::Wildcard{}, k1503},
  });
}

TEST_CASE("Pattern") {
  run({
      {"equal", c::Pattern{"/a/*"}, c::Pattern{"/a/*"}, std::nullopt},
      {"equal complex", c::Pattern{"a*b*"}, c::Pattern{"a*b*"}, std::nullopt},
      {"prefix narrower", c::Pattern{"/data/*"}, c::Pattern{"/data/reports/*"}, std::nullopt},
      {"prefix to exact", c::Pattern{"/data/*"}, c::Pattern{"/data/q3.pdf"}, std::nullopt},
      {"star to prefix", c::Pattern{"*"}, c::Pattern{"abc*"}, std::nullopt},
      {"star to exact", c::Pattern{"*"}, c::Pattern{"abc"}, std::nullopt},
      {"star to suffix", c::Pattern{"*"}, c::Pattern{"*-x"}, k1503},
      {"star to complex", c::Pattern{"*"}, c::Pattern{"a*b"}, k1503},
      {"suffix narrower", c::Pattern{"*.pdf"}, c::Pattern{"*-q3.pdf"}, std::nullopt},
      {"suffix to exact", c::Pattern{"*.pdf"}, c::Pattern{"q3.pdf"}, std::nullopt},
      {"prefix wider", c::Pattern{"/data/reports/*"}, c::Pattern{"/data/*"}, k1503},
      {"prefix other", c::Pattern{"/data/*"}, c::Pattern{"/etc/*"}, k1503},
      {"exact to other exact", c::Pattern{"a"}, c::Pattern{"b"}, k1503},
      {"complex to narrower", c::Pattern{"a*b*"}, c::Pattern{"ab*"}, k1503},
      {"question marks classified as text", c::Pattern{"a?*"}, c::Pattern{"a?c*"}, std::nullopt},
      {"set straddling the suffix (stricter)", c::Pattern{"*]"}, c::Pattern{"*[!]]"}, k1503},
      {"invalid parent (stricter)", c::Pattern{"a[*"}, c::Pattern{"a[b]*"}, k1503},
      {"pattern -> exact match", c::Pattern{"/data/*"}, c::Exact{"/data/x"}, std::nullopt},
      {"pattern -> exact miss", c::Pattern{"/data/*"}, c::Exact{"/etc/x"}, k1503},
      {"pattern -> exact number", c::Pattern{"*"}, c::Exact{5}, k1503},
      {"pattern -> regex", c::Pattern{"*"}, c::Regex{".*"}, k1502},
      {"pattern -> oneof", c::Pattern{"*"}, c::OneOf{{"a"}}, k1502},
  });
}

TEST_CASE("Regex and Exact") {
  run({
      {"regex identical", c::Regex{"^a+$"}, c::Regex{"^a+$"}, std::nullopt},
      {"regex different", c::Regex{"^a+$"}, c::Regex{"^a$"}, k1502},
      {"regex -> exact match", c::Regex{"^a+$"}, c::Exact{"aaa"}, std::nullopt},
      {"regex -> exact miss", c::Regex{"^a+$"}, c::Exact{"b"}, k1502},
      {"regex -> exact number", c::Regex{".*"}, c::Exact{1}, k1502},
      {"invalid regex -> exact", c::Regex{"("}, c::Exact{"("}, k1501},
      {"exact equal", c::Exact{"a"}, c::Exact{"a"}, std::nullopt},
      {"exact differs", c::Exact{"a"}, c::Exact{"b"}, k1502},
      {"exact type strict", c::Exact{1}, c::Exact{1.0}, k1502},
      {"exact -> oneof", c::Exact{"a"}, c::OneOf{{"a"}}, k1502},
      {"exact -> pattern", c::Exact{"a"}, c::Pattern{"a"}, k1502},
  });
}

TEST_CASE("OneOf and NotOneOf") {
  run({
      {"oneof subset", c::OneOf{{"a", "b", "c"}}, c::OneOf{{"a", "c"}}, std::nullopt},
      {"oneof empty child", c::OneOf{{"a"}}, c::OneOf{{}}, std::nullopt},
      {"oneof adds", c::OneOf{{"a"}}, c::OneOf{{"a", "b"}}, k1503},
      {"oneof type strict", c::OneOf{{1}}, c::OneOf{{"1"}}, k1503},
      {"oneof -> exact in", c::OneOf{{"a", "b"}}, c::Exact{"b"}, std::nullopt},
      {"oneof -> exact out", c::OneOf{{"a", "b"}}, c::Exact{"c"}, k1503},
      {"oneof -> notoneof", c::OneOf{{"a"}}, c::NotOneOf{{"b"}}, k1502},
      {"notoneof superset", c::NotOneOf{{"a"}}, c::NotOneOf{{"a", "b"}}, std::nullopt},
      {"notoneof drops", c::NotOneOf{{"a", "b"}}, c::NotOneOf{{"a"}}, k1503},
      {"notoneof -> exact", c::NotOneOf{{"a"}}, c::Exact{"b"}, k1502},
      {"notoneof -> oneof", c::NotOneOf{{"a"}}, c::OneOf{{"b"}}, k1502},
  });
}

TEST_CASE("Range") {
  run({
      {"narrower", range(0.0, 100.0), range(10.0, 50.0), std::nullopt},
      {"equal", range(0.0, 100.0), range(0.0, 100.0), std::nullopt},
      {"inclusive to exclusive", range(0.0, 100.0), range(0.0, 100.0, false, false), std::nullopt},
      {"exclusive to inclusive min", range(0.0, 100.0, false, true), range(0.0, 100.0), k1503},
      {"exclusive to inclusive max", range(0.0, 100.0, true, false), range(0.0, 100.0), k1503},
      {"lower min", range(0.0, 100.0), range(-1.0, 100.0), k1503},
      {"higher max", range(0.0, 100.0), range(0.0, 101.0), k1503},
      {"drops min", range(0.0, 100.0), range(std::nullopt, 100.0), k1503},
      {"drops max", range(0.0, 100.0), range(0.0, std::nullopt), k1503},
      {"unbounded parent", range(std::nullopt, std::nullopt), range(std::nullopt, 5.0), std::nullopt},
      {"NaN child bound", range(0.0, std::nullopt), range(std::numeric_limits<double>::quiet_NaN(), std::nullopt), k1503},
      {"range -> exact inside", range(0.0, 10.0), c::Exact{5}, std::nullopt},
      {"range -> exact float inside", range(0.0, 10.0), c::Exact{9.5}, std::nullopt},
      {"range -> exact outside", range(0.0, 10.0), c::Exact{11}, k1501},
      {"range -> exact at exclusive bound", range(0.0, 10.0, true, false), c::Exact{10}, k1501},
      {"range -> exact string", range(0.0, 10.0), c::Exact{"5"}, k1502},
      {"range -> oneof", range(0.0, 10.0), c::OneOf{{1}}, k1502},
  });
}

TEST_CASE("Cidr") {
  run({
      {"subnet", c::Cidr{"10.0.0.0/8"}, c::Cidr{"10.1.0.0/16"}, std::nullopt},
      {"equal", c::Cidr{"10.0.0.0/8"}, c::Cidr{"10.0.0.0/8"}, std::nullopt},
      {"host bits", c::Cidr{"10.0.0.0/8"}, c::Cidr{"10.9.9.9/32"}, std::nullopt},
      {"wider", c::Cidr{"10.1.0.0/16"}, c::Cidr{"10.0.0.0/8"}, k1503},
      {"disjoint", c::Cidr{"10.0.0.0/8"}, c::Cidr{"11.0.0.0/8"}, k1503},
      {"family", c::Cidr{"::/0"}, c::Cidr{"10.0.0.0/8"}, k1503},
      {"v6 subnet", c::Cidr{"2001:db8::/32"}, c::Cidr{"2001:db8:1::/48"}, std::nullopt},
      {"cidr -> exact in", c::Cidr{"10.0.0.0/8"}, c::Exact{"10.2.3.4"}, std::nullopt},
      {"cidr -> exact out", c::Cidr{"10.0.0.0/8"}, c::Exact{"11.2.3.4"}, k1503},
      {"cidr -> exact invalid", c::Cidr{"10.0.0.0/8"}, c::Exact{"10.2.3"}, k1501},
      {"cidr -> exact number", c::Cidr{"10.0.0.0/8"}, c::Exact{1}, k1501},
  });
}

TEST_CASE("UrlPattern") {
  run({
      {"equal", c::UrlPattern{"https://example.com/*"}, c::UrlPattern{"https://example.com/*"}, std::nullopt},
      {"any scheme -> https", c::UrlPattern{"*://example.com/*"}, c::UrlPattern{"https://example.com/*"}, std::nullopt},
      {"https -> any scheme", c::UrlPattern{"https://example.com/*"}, c::UrlPattern{"*://example.com/*"}, k1503},
      {"scheme change", c::UrlPattern{"https://example.com/*"}, c::UrlPattern{"http://example.com/*"}, k1503},
      {"wildcard host -> sub", c::UrlPattern{"https://*.example.com/*"}, c::UrlPattern{"https://api.example.com/*"}, std::nullopt},
      {"wildcard host -> apex", c::UrlPattern{"https://*.example.com/*"}, c::UrlPattern{"https://example.com/*"}, std::nullopt},
      {"wildcard host -> narrower wildcard", c::UrlPattern{"https://*.example.com/*"}, c::UrlPattern{"https://*.a.example.com/*"}, std::nullopt},
      {"wildcard host -> other", c::UrlPattern{"https://*.example.com/*"}, c::UrlPattern{"https://badexample.com/*"}, k1503},
      {"exact host -> wildcard", c::UrlPattern{"https://example.com/*"}, c::UrlPattern{"https://*.example.com/*"}, k1503},
      {"any host -> exact", c::UrlPattern{"https://*/*"}, c::UrlPattern{"https://x.org/*"}, std::nullopt},
      {"port kept", c::UrlPattern{"https://example.com:8443/*"}, c::UrlPattern{"https://example.com:8443/a/*"}, std::nullopt},
      {"port dropped", c::UrlPattern{"https://example.com:8443/*"}, c::UrlPattern{"https://example.com/*"}, k1503},
      {"path narrower", c::UrlPattern{"https://example.com/api/*"}, c::UrlPattern{"https://example.com/api/v1/*"}, std::nullopt},
      {"path exact under prefix", c::UrlPattern{"https://example.com/api/*"}, c::UrlPattern{"https://example.com/api/v1"}, std::nullopt},
      {"path wider", c::UrlPattern{"https://example.com/api/v1/*"}, c::UrlPattern{"https://example.com/api/*"}, k1503},
      {"path dropped", c::UrlPattern{"https://example.com/api/*"}, c::UrlPattern{"https://example.com"}, k1503},
      {"child = parent + /x (stricter)", c::UrlPattern{"https://example.com/api"}, c::UrlPattern{"https://example.com/api/x"}, k1503},
      {"urlpattern -> exact match", c::UrlPattern{"https://example.com/api/*"}, c::Exact{"https://example.com/api/x"}, std::nullopt},
      {"urlpattern -> exact miss", c::UrlPattern{"https://example.com/api/*"}, c::Exact{"https://evil.com/api/x"}, k1503},
      {"urlpattern -> exact unparsable", c::UrlPattern{"https://example.com/*"}, c::Exact{"nope"}, k1501},
  });
}

TEST_CASE("Contains and Subset") {
  run({
      {"contains more", c::Contains{{"a"}}, c::Contains{{"a", "b"}}, std::nullopt},
      {"contains drops", c::Contains{{"a", "b"}}, c::Contains{{"a"}}, k1503},
      {"contains -> exact", c::Contains{{"a"}}, c::Exact{list({"a"})}, k1502},
      {"subset fewer", c::Subset{{"a", "b"}}, c::Subset{{"a"}}, std::nullopt},
      {"subset empty child", c::Subset{{"a"}}, c::Subset{{}}, std::nullopt},
      {"subset adds", c::Subset{{"a"}}, c::Subset{{"a", "b"}}, k1502},
  });
}

TEST_CASE("All, Any, Not") {
  const Constraint data = c::Pattern{"/data/*"};
  const Constraint reports = c::Pattern{"/data/reports/*"};
  const Constraint pdf = c::Pattern{"*.pdf"};
  run({
      {"all -> all adds clauses", c::All{{data}}, c::All{{reports, pdf}}, std::nullopt},
      {"all -> all narrows each", c::All{{data, pdf}}, c::All{{reports, c::Pattern{"*-q3.pdf"}}}, std::nullopt},
      {"all -> all drops a clause", c::All{{data, pdf}}, c::All{{reports}}, k1502},
      {"all -> empty all", c::All{{data}}, c::All{{}}, k1502},
      {"empty all -> all", c::All{{}}, c::All{{data}}, k1502},
      {"all -> exact all accept", c::All{{data, pdf}}, c::Exact{"/data/x.pdf"}, std::nullopt},
      {"all -> exact one refuses", c::All{{data, pdf}}, c::Exact{"/data/x.txt"}, k1502},
      {"pattern -> all", data, c::All{{reports}}, k1502},
      {"any -> any subset", c::Any{{data, pdf}}, c::Any{{reports}}, std::nullopt},
      {"any -> any each narrows some", c::Any{{data, pdf}}, c::Any{{reports, c::Pattern{"*x.pdf"}}}, std::nullopt},
      {"any -> any adds", c::Any{{data}}, c::Any{{data, pdf}}, k1502},
      {"any -> empty any", c::Any{{data}}, c::Any{{}}, std::nullopt},
      {"any -> exact", c::Any{{data}}, c::Exact{"/data/x"}, k1502},
      {"not -> not reversed", tenuo::make_not(reports), tenuo::make_not(data), std::nullopt},
      {"not -> not wrong way", tenuo::make_not(data), tenuo::make_not(reports), k1502},
      {"not -> exact", tenuo::make_not(data), c::Exact{"/etc"}, k1502},
      {"unknown -> unknown", c::Unknown{42, {}}, c::Unknown{42, {}}, k1502},
      {"unknown -> exact", c::Unknown{42, {}}, c::Exact{"x"}, k1502},
      {"pattern -> unknown", data, c::Unknown{42, {}}, k1502},
  });
}

TEST_CASE("Cel") {
  run({
      {"identical", c::Cel{"value > 3", {}}, c::Cel{"value > 3", {}}, std::nullopt},
      {"whitespace only", c::Cel{"value > 3", {}}, c::Cel{"value>3", {}}, std::nullopt},
      {"conjunction", c::Cel{"value > 3", {}}, c::Cel{"(value > 3) && (value < 10)", {}}, std::nullopt},
      {"different", c::Cel{"value > 3", {}}, c::Cel{"value > 4", {}}, k1502},
      {"disjunction smuggled", c::Cel{"value > 3", {}}, c::Cel{"(value > 3) && ('(' == '(') || true || (')' == ')')", {}}, k1502},
      {"whitespace inside a string literal", c::Cel{"value == 'a b'", {}}, c::Cel{"value == 'ab'", {}}, k1502},
      {"spacing outside a literal", c::Cel{"value == 'a b'", {}}, c::Cel{"value=='a b'", {}}, std::nullopt},
      {"raw literal, then a spaced one", c::Cel{R"(value == r'\' || value == 'x y')", {}},
       c::Cel{R"(value == r'\' || value == 'xy')", {}}, k1502},
      {"triple-quoted literal", c::Cel{"value == '''a ' b'''", {}}, c::Cel{"value == '''a 'b'''", {}}, k1502},
  });
}

TEST_CASE("Subpath, UrlSafe, Shlex") {
  c::UrlSafe no_private = url_safe();
  no_private.block_private = false;
  c::UrlSafe https_only = url_safe();
  https_only.schemes = {"https"};
  c::UrlSafe allow_ex = url_safe();
  allow_ex.allow_domains = std::vector<std::string>{"*.example.com"};
  c::UrlSafe allow_api = url_safe();
  allow_api.allow_domains = std::vector<std::string>{"api.example.com", "*.b.example.com"};
  c::UrlSafe allow_other = url_safe();
  allow_other.allow_domains = std::vector<std::string>{"other.com"};
  c::UrlSafe deny_a = url_safe();
  deny_a.deny_domains = std::vector<std::string>{"a.com"};
  c::UrlSafe deny_ab = url_safe();
  deny_ab.deny_domains = std::vector<std::string>{"A.com", "b.com"};
  c::UrlSafe ports = url_safe();
  ports.allow_ports = std::vector<std::uint16_t>{443, 8443};
  c::UrlSafe port443 = url_safe();
  port443.allow_ports = std::vector<std::uint16_t>{443};
  c::UrlSafe tlds = url_safe();
  tlds.block_internal_tlds = true;
  run({
      {"subpath deeper", c::Subpath{"/data", true, true}, c::Subpath{"/data/reports", true, true}, std::nullopt},
      {"subpath same", c::Subpath{"/data", true, false}, c::Subpath{"/data", true, false}, std::nullopt},
      {"subpath outside", c::Subpath{"/data", true, true}, c::Subpath{"/etc", true, true}, k1501},
      {"subpath traversal root", c::Subpath{"/data", true, true}, c::Subpath{"/data/../etc", true, true}, k1501},
      {"subpath sibling prefix", c::Subpath{"/data", true, true}, c::Subpath{"/database", true, true}, k1501},
      {"subpath case loosened", c::Subpath{"/data", true, true}, c::Subpath{"/data/x", false, true}, k1502},
      {"subpath case tightened", c::Subpath{"/Data", false, true}, c::Subpath{"/DATA/x", true, true}, std::nullopt},
      {"subpath allow_equal loosened", c::Subpath{"/data", true, false}, c::Subpath{"/data/x", true, true}, k1502},
      {"subpath -> exact in", c::Subpath{"/data", true, true}, c::Exact{"/data/x"}, std::nullopt},
      {"subpath -> exact out", c::Subpath{"/data", true, true}, c::Exact{"/data/../x"}, k1501},
      {"urlsafe same", url_safe(), url_safe(), std::nullopt},
      {"urlsafe fewer schemes", url_safe(), https_only, std::nullopt},
      {"urlsafe more schemes", https_only, url_safe(), k1502},
      {"urlsafe flag off", url_safe(), no_private, k1502},
      {"urlsafe flag on", no_private, url_safe(), std::nullopt},
      {"urlsafe internal tlds on", url_safe(), tlds, std::nullopt},
      {"urlsafe internal tlds off", tlds, url_safe(), k1502},
      {"urlsafe allow narrower", allow_ex, allow_api, std::nullopt},
      {"urlsafe allow other", allow_ex, allow_other, k1502},
      {"urlsafe allow dropped", allow_ex, url_safe(), k1502},
      {"urlsafe deny kept (case-insensitive)", deny_a, deny_ab, std::nullopt},
      {"urlsafe deny dropped", deny_ab, deny_a, k1502},
      {"urlsafe ports narrower", ports, port443, std::nullopt},
      {"urlsafe ports wider", port443, ports, k1502},
      {"urlsafe ports dropped", ports, url_safe(), k1502},
      {"urlsafe -> exact safe", url_safe(), c::Exact{"https://example.com/"}, std::nullopt},
      {"urlsafe -> exact unsafe", url_safe(), c::Exact{"http://127.1/"}, k1502},
      {"shlex subset", c::Shlex{{"ls", "cat"}}, c::Shlex{{"ls"}}, std::nullopt},
      {"shlex adds", c::Shlex{{"ls"}}, c::Shlex{{"ls", "rm"}}, k1502},
      {"shlex -> exact ok", c::Shlex{{"ls"}}, c::Exact{"ls -la"}, std::nullopt},
      {"shlex -> exact chained", c::Shlex{{"ls"}}, c::Exact{"ls; rm -rf /"}, k1502},
  });
}

TEST_CASE("ConstraintSet rules") {
  ConstraintSet parent;
  parent.set("path", c::Pattern{"/data/*"});
  ConstraintSet child;
  child.set("path", c::Pattern{"/data/reports/*"});
  CHECK(tenuo::check_attenuation(parent, child).has_value());

  ConstraintSet missing;
  auto r1 = tenuo::check_attenuation(parent, missing);
  REQUIRE_FALSE(r1.has_value());
  CHECK(r1.error().code == k1502);

  ConstraintSet extra = child;
  extra.set("mode", c::Exact{"r"});
  auto r2 = tenuo::check_attenuation(parent, extra);
  REQUIRE_FALSE(r2.has_value());
  CHECK(r2.error().code == k1502);

  ConstraintSet wider;
  wider.set("path", c::Pattern{"/*"});
  auto r3 = tenuo::check_attenuation(parent, wider);
  REQUIRE_FALSE(r3.has_value());
  CHECK(r3.error().code == k1503);

  ConstraintSet unknown_on = child;
  unknown_on.allow_unknown = true;
  auto r4 = tenuo::check_attenuation(parent, unknown_on);
  REQUIRE_FALSE(r4.has_value());
  CHECK(r4.error().code == k1502);

  ConstraintSet parent_open = parent;
  parent_open.allow_unknown = true;
  CHECK(tenuo::check_attenuation(parent_open, child).has_value());
  CHECK(tenuo::check_attenuation(parent_open, unknown_on).has_value());

  const ConstraintSet empty;
  CHECK(tenuo::check_attenuation(empty, extra).has_value());  // an empty parent allows anything
  CHECK(tenuo::check_attenuation(empty, empty).has_value());
}

TEST_CASE("deep and wide trees stay bounded") {
  Constraint leaf = c::Pattern{"/data/*"};
  // 64 x 64 clauses on each side; every parent leaf is narrowed only by the last child leaf,
  // so a full search costs 64^3 leaf comparisons: the work budget stops it first (stricter).
  auto wide = [](std::vector<Constraint> inner) {
    std::vector<Constraint> outer(64, Constraint(c::All{std::move(inner)}));
    return Constraint(c::All{outer});
  };
  std::vector<Constraint> child_inner(63, Constraint(c::Pattern{"/b/*"}));
  child_inner.push_back(c::Pattern{"/a/x/*"});
  const Constraint parent_wide = wide(std::vector<Constraint>(64, Constraint(c::Pattern{"/a/*"})));
  auto r = tenuo::check_attenuation(parent_wide, wide(child_inner));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == k1502);
  CHECK(tenuo::check_attenuation(parent_wide, wide(std::vector<Constraint>(64, Constraint(c::Pattern{"/a/x/*"}))))
            .has_value());
  Constraint nots_p = leaf;
  Constraint nots_c = leaf;
  for (std::size_t i = 0; i < tenuo::kMaxConstraintDepth; ++i) {
    nots_p = tenuo::make_not(nots_p);
    nots_c = tenuo::make_not(nots_c);
  }
  CHECK(tenuo::check_attenuation(nots_p, nots_c).has_value());
  auto deeper = tenuo::check_attenuation(tenuo::make_not(nots_p), tenuo::make_not(nots_c));
  REQUIRE_FALSE(deeper.has_value());
}
}
