#include "python_util.hpp"

#include <tenuo/cbor.hpp>
#include <tenuo/constraint.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/limits.hpp>

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

using namespace tenuo;

namespace {

std::string strip(std::string_view hex) {
  std::string out;
  for (char ch : hex)
    if (ch != ' ') out += ch;
  return out;
}

std::string enc(const Constraint& c) { return hex_encode(cbor::encode(to_cbor(c))); }
std::string enc(const ConstraintSet& s) { return hex_encode(cbor::encode(to_cbor(s))); }

cbor::Value cbor_of(std::string_view hex) {
  auto bytes = hex_decode(strip(hex));
  REQUIRE(bytes.has_value());
  cbor::DecodeOptions opts;
  opts.max_depth = kMaxPayloadCborDepth;
  auto v = cbor::decode(*bytes, opts);
  REQUIRE(v.has_value());
  return *v;
}

Result<Constraint> dec(std::string_view hex) { return constraint_from_cbor(cbor_of(hex)); }
Result<ConstraintSet> dec_set(std::string_view hex) { return constraint_set_from_cbor(cbor_of(hex)); }

Constraint range(std::optional<double> min, std::optional<double> max, bool min_inc = true,
                 bool max_inc = true) {
  return c::Range{min, max, min_inc, max_inc};
}

Constraint pattern(std::string p) { return c::Pattern{std::move(p)}; }

// Hex of a CBOR text string (len < 24): the header byte then the UTF-8.
std::string t(std::string_view s) {
  REQUIRE(s.size() < 24);
  std::string out = hex_encode(std::vector<std::uint8_t>{static_cast<std::uint8_t>(0x60 + s.size())});
  return out + hex_encode(as_bytes(s));
}

std::string nested_not(std::size_t n, std::string_view leaf_hex) {
  std::string h;
  for (std::size_t i = 0; i < n; ++i) h += "820ea16a636f6e73747261696e74";
  return h + std::string(leaf_hex);
}

struct Row {
  const char* name;
  Constraint c;
  const char* hex;
};

std::vector<Row> rows() {
  c::UrlSafe ports;
  ports.allow_ports = std::vector<std::uint16_t>{443, 8443};
  ports.allow_domains = std::vector<std::string>{"*.example.com"};
  ports.block_internal_tlds = true;
  return {
      {"Exact string", c::Exact{Value{"x"}}, "8201 a1 6576616c7565 6178"},
      {"Exact float 2.0", c::Exact{Value{2.0}}, "8201 a1 6576616c7565 f94000"},
      {"Exact int 2", c::Exact{Value{2}}, "8201 a1 6576616c7565 02"},
      {"Exact null", c::Exact{Value{}}, "8201 a1 6576616c7565 f6"},
      {"Pattern", pattern("/data/*"), "8202 a1 677061747465726e 672f646174612f2a"},
      {"Range 1.5<=x<1000", range(1.5, 1000.0, true, false),
       "8203 a4 636d696e f93e00 636d6178 f963d0 6d6d696e5f696e636c7573697665 f5 "
       "6d6d61785f696e636c7573697665 f4"},
      {"Range max 15", range(std::nullopt, 15.0),
       "8203 a4 636d696e f6 636d6178 f94b80 6d6d696e5f696e636c7573697665 f5 "
       "6d6d61785f696e636c7573697665 f5"},
      {"Range 0.1..", range(0.1, std::nullopt),
       "8203 a4 636d696e fb3fb999999999999a 636d6178 f6 6d6d696e5f696e636c7573697665 f5 "
       "6d6d61785f696e636c7573697665 f5"},
      {"OneOf", c::OneOf{{Value{"a"}, Value{1}}}, "8204 a1 6676616c756573 82 6161 01"},
      {"Regex", c::Regex{"^a$"}, "8205 a1 677061747465726e 635e6124"},
      {"NotOneOf", c::NotOneOf{{Value{"x"}}}, "8207 a1 686578636c75646564 81 6178"},
      {"Cidr", c::Cidr{"10.0.0.0/8"}, "8208 6a31302e302e302e302f38"},
      {"UrlPattern", c::UrlPattern{"https://*.example.com/api/*"},
       "8209 781b 68747470733a2f2f2a2e6578616d706c652e636f6d2f6170692f2a"},
      {"Contains", c::Contains{{Value{"read"}}}, "820a a1 687265717569726564 81 6472656164"},
      {"Subset", c::Subset{{Value{"a"}, Value{"b"}}}, "820b a1 67616c6c6f776564 82 6161 6162"},
      {"All", c::All{{Constraint{c::Wildcard{}}}}, "820c a1 6b636f6e73747261696e7473 81 8210f6"},
      {"Any empty", c::Any{{}}, "820d a1 6b636f6e73747261696e7473 80"},
      {"Not", make_not(pattern("a")),
       "820e a1 6a636f6e73747261696e74 8202 a1 677061747465726e 6161"},
      {"Cel", c::Cel{"x > 1", std::nullopt}, "820f a1 6a65787072657373696f6e 6578203e2031"},
      {"Cel with parent", c::Cel{"b", "a"},
       "820f a2 6a65787072657373696f6e 6162 71706172656e745f65787072657373696f6e 6161"},
      {"Wildcard", c::Wildcard{}, "8210f6"},
      {"Subpath", c::Subpath{"/srv/data", true, true},
       "8211 a3 64726f6f74 692f7372762f64617461 6e636173655f73656e736974697665 f5 "
       "6b616c6c6f775f657175616c f5"},
      {"Subpath options", c::Subpath{"/", false, false},
       "8211 a3 64726f6f74 612f 6e636173655f73656e736974697665 f4 6b616c6c6f775f657175616c f4"},
      {"UrlSafe default", c::UrlSafe{},
       "8212 a9 67736368656d6573 82 6468747470 656874747073 "
       "6d616c6c6f775f646f6d61696e73 f6 6c64656e795f646f6d61696e73 f6 6b616c6c6f775f706f727473 f6 "
       "6d626c6f636b5f70726976617465 f5 6e626c6f636b5f6c6f6f706261636b f5 "
       "6e626c6f636b5f6d65746164617461 f5 6e626c6f636b5f7265736572766564 f5 "
       "73626c6f636b5f696e7465726e616c5f746c6473 f4"},
      {"UrlSafe options", ports,
       "8212 a9 67736368656d6573 82 6468747470 656874747073 "
       "6d616c6c6f775f646f6d61696e73 81 6d2a2e6578616d706c652e636f6d 6c64656e795f646f6d61696e73 f6 "
       "6b616c6c6f775f706f727473 82 1901bb 1920fb "
       "6d626c6f636b5f70726976617465 f5 6e626c6f636b5f6c6f6f706261636b f5 "
       "6e626c6f636b5f6d65746164617461 f5 6e626c6f636b5f7265736572766564 f5 "
       "73626c6f636b5f696e7465726e616c5f746c6473 f5"},
      {"Shlex", c::Shlex{{"grep"}}, "821880 a1 65616c6c6f77 81 6467726570"},
      {"Unknown 99", c::Unknown{99, {1, 2}}, "821863 420102"},
      {"Unknown 0 empty", c::Unknown{0, {}}, "8200 40"},
      {"Unknown 6 (reserved IntRange)", c::Unknown{6, {0xff}}, "8206 41ff"},
      {"Unknown 255", c::Unknown{255, {}}, "8218ff 40"},
  };
}

void expect_code(const Result<Constraint>& r, ErrorCode code) {
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == code);
}

}  // namespace

TEST_SUITE("tenuo::constraint") {
TEST_CASE("every type encodes to the reference bytes and decodes back identically") {
  for (const auto& r : rows()) {
    CAPTURE(r.name);
    const auto want = strip(r.hex);
    CHECK(enc(r.c) == want);
    auto back = dec(want);
    REQUIRE(back.has_value());
    CHECK(*back == r.c);
    CHECK(enc(*back) == want);
    CHECK(back->type_id() == r.c.type_id());
  }
}

TEST_CASE("type ids, names and depth") {
  CHECK(Constraint{c::Shlex{}}.type_id() == 128);
  CHECK(Constraint{c::Unknown{42, {}}}.type_id() == 42);
  CHECK(Constraint{c::UrlSafe{}}.type_name() == "url_safe");
  CHECK(Constraint{c::NotOneOf{}}.type_name() == "not_one_of");
  CHECK(Constraint{c::Unknown{}}.type_name() == "unknown");
  CHECK(Constraint{c::Wildcard{}}.depth() == 0);
  CHECK(make_not(c::Wildcard{}).depth() == 1);
  CHECK(Constraint{c::All{{make_not(c::Wildcard{}), pattern("a")}}}.depth() == 2);
  CHECK(Constraint{c::Any{}}.depth() == 1);
}

TEST_CASE("equality is structural and type-strict") {
  CHECK(Constraint{c::Exact{Value{1}}} != Constraint{c::Exact{Value{1.0}}});
  CHECK(Constraint{c::Exact{Value{"1"}}} != Constraint{c::Exact{Value{1}}});
  CHECK(pattern("a") != Constraint{c::Regex{"a"}});
  CHECK(make_not(pattern("a")) == make_not(pattern("a")));
  CHECK(make_not(pattern("a")) != make_not(pattern("b")));
  CHECK(range(0.0, 1.0) != range(0.0, 1.0, true, false));
  CHECK(Constraint{c::Cel{"a", std::nullopt}} != Constraint{c::Cel{"a", ""}});
  CHECK(Constraint{c::Unknown{7, {1}}} != Constraint{c::Unknown{7, {2}}});
}

TEST_CASE("ConstraintSet: wrapper, byte-order keys, allow_unknown only when true") {
  ConstraintSet s;
  s.set("path", c::Wildcard{});
  const auto wildcard_set = strip("a1 6b636f6e73747261696e7473 a1 6470617468 8210f6");  // §5.1
  CHECK(enc(s) == wildcard_set);
  auto back = dec_set(wildcard_set);
  REQUIRE(back.has_value());
  CHECK(*back == s);

  ConstraintSet two;
  two.set("b", pattern("x"));
  two.set("aa", c::Wildcard{});
  two.set("b", c::Wildcard{});  // replaces
  two.allow_unknown = true;
  REQUIRE(two.constraints.size() == 2);
  CHECK(two.constraints[0].first == "aa");
  CHECK(two.find("b") != nullptr);
  CHECK(two.find("c") == nullptr);
  const auto want = strip("a2 6b636f6e73747261696e7473 a2 626161 8210f6 6162 8210f6 "
                          "6d616c6c6f775f756e6b6e6f776e f5");
  CHECK(enc(two) == want);
  auto back2 = dec_set(want);
  REQUIRE(back2.has_value());
  CHECK(*back2 == two);

  ConstraintSet empty;
  CHECK(enc(empty) == strip("a1 6b636f6e73747261696e7473 a0"));
  CHECK(dec_set(enc(empty)).has_value());
}

TEST_CASE("an independent decoder (cbor2) reads every row of the table as the reference shapes") {
  if (!test::has_cbor2()) {
    MESSAGE("skipped the cbor2 cross-check: /usr/bin/python3 has no cbor2 (scripts/deps.sh --test installs it)");
    return;
  }
  // One argument per row of the type table (every type 1-18, Shlex 128, Unknown), so the whole
  // set and each constraint go through cbor2 in one process.
  const auto table = rows();
  ConstraintSet s;
  std::string input;
  for (std::size_t i = 0; i < table.size(); ++i) {
    s.set(fmt::format("r{:02}", i), table[i].c);
    input += fmt::format("{}\n", table[i].c.type_id());
  }
  const std::string set_hex = enc(s);
  input = set_hex + "\n" + input;
  const std::string script = std::string(test::kPyReencode) +
      "import sys\n"
      "lines = sys.stdin.read().split()\n"
      "raw = bytes.fromhex(lines[0])\n"
      "ids = [int(x) for x in lines[1:]]\n"
      "top = cbor2.loads(raw)\n"
      "assert list(top.keys()) == ['constraints'], top.keys()\n"
      "cs = top['constraints']\n"
      "assert list(cs.keys()) == ['r%02d' % i for i in range(len(ids))], list(cs.keys())\n"
      "assert reencode(top) == raw, 'set re-encodes differently'\n"
      "for i, (k, c) in enumerate(cs.items()):\n"
      "    assert isinstance(c, list) and len(c) == 2 and c[0] == ids[i], (k, c)\n"
      "    print(k, c[0], reencode(c).hex(), repr(c[1]))\n";
  const std::string out = test::run_python_with_input(script, input);
  std::vector<std::string> lines;
  for (std::size_t pos = 0; pos < out.size();) {
    const auto nl = out.find('\n', pos);
    lines.push_back(out.substr(pos, nl - pos));
    pos = nl == std::string::npos ? out.size() : nl + 1;
  }
  REQUIRE(lines.size() == table.size());
  for (std::size_t i = 0; i < table.size(); ++i) {
    CAPTURE(table[i].name);
    // cbor2 re-encodes each constraint to our bytes (= the reference bytes of the table).
    const std::string prefix = fmt::format("r{:02} {} {} ", i, table[i].c.type_id(), strip(table[i].hex));
    CHECK(lines[i].substr(0, prefix.size()) == prefix);
  }
  // The shapes as Python sees them, for one row of each wire form (struct map, bare text, null,
  // bytes, nested constraint).
  auto body = [&](std::string_view name) {
    for (std::size_t i = 0; i < table.size(); ++i)
      if (table[i].name == name) {
        const std::string& l = lines[i];
        std::size_t sp = 0;
        for (int k = 0; k < 3; ++k) sp = l.find(' ', sp) + 1;
        return l.substr(sp);
      }
    FAIL("no row ", name);
    return std::string();
  };
  CHECK(body("Range 1.5<=x<1000") == "{'min': 1.5, 'max': 1000.0, 'min_inclusive': True, 'max_inclusive': False}");
  CHECK(body("Exact float 2.0") == "{'value': 2.0}");
  CHECK(body("Exact int 2") == "{'value': 2}");
  CHECK(body("Cidr") == "'10.0.0.0/8'");
  CHECK(body("Wildcard") == "None");
  CHECK(body("Subpath options") == "{'root': '/', 'case_sensitive': False, 'allow_equal': False}");
  CHECK(body("Unknown 99") == "b'\\x01\\x02'");
  CHECK(body("Shlex") == "{'allow': ['grep']}");
  CHECK(body("Not") == "{'constraint': [2, {'pattern': 'a'}]}");
  CHECK(body("Cel with parent") == "{'expression': 'b', 'parent_expression': 'a'}");
  CHECK(body("UrlSafe options").starts_with("{'schemes': ['http', 'https'], 'allow_domains': ['*.example.com'], "
                                            "'deny_domains': None, 'allow_ports': [443, 8443], "));
}

TEST_CASE("decode rejects every shape the reference encoder does not emit") {
  const std::string range_body_tail = "6d6d696e5f696e636c7573697665 f5 6d6d61785f696e636c7573697665 f5";
  struct Bad {
    const char* name;
    std::string hex;
    ErrorCode code;
  };
  const Bad bad[] = {
      {"not an array", "f6", ErrorCode::MalformedCbor},
      {"three elements", "83 10 f6 f6", ErrorCode::MalformedCbor},
      {"one element", "81 10", ErrorCode::MalformedCbor},
      {"text type id", "82 6161 f6", ErrorCode::MalformedCbor},
      {"negative type id", "82 20 f6", ErrorCode::MalformedCbor},
      {"type id 256", "82 190100 40", ErrorCode::MalformedCbor},
      {"type id 2^32", "82 1b0000000100000000 40", ErrorCode::MalformedCbor},
      {"Range integer bound", "8203 a4 636d696e 00 636d6178 f6 " + range_body_tail,
       ErrorCode::MalformedCbor},
      {"Range NaN bound", "8203 a4 636d696e f97e00 636d6178 f6 " + range_body_tail,
       ErrorCode::MalformedCbor},
      {"Range inf bound", "8203 a4 636d696e f6 636d6178 f97c00 " + range_body_tail,
       ErrorCode::MalformedCbor},
      {"Range missing booleans", "8203 a2 636d696e f6 636d6178 f6", ErrorCode::MalformedCbor},
      {"Range out of order", "8203 a4 636d6178 f6 636d696e f6 " + range_body_tail,
       ErrorCode::MalformedCbor},
      {"Range extra key", "8203 a5 636d696e f6 636d6178 f6 " + range_body_tail + " 6178 f6",
       ErrorCode::MalformedCbor},
      {"Range bool as int", "8203 a4 636d696e f6 636d6178 f6 6d6d696e5f696e636c7573697665 01 "
                            "6d6d61785f696e636c7573697665 f5",
       ErrorCode::MalformedCbor},
      {"Range as array", "8203 84 f6 f6 f5 f5", ErrorCode::MalformedCbor},
      {"Exact inline value", "8201 6178", ErrorCode::MalformedCbor},
      {"Exact extra key", "8201 a2 6576616c7565 6178 6178 f6", ErrorCode::MalformedCbor},
      {"Exact wrong key", "8201 a1 6576616c7566 6178", ErrorCode::MalformedCbor},
      {"Exact byte-string value", "8201 a1 6576616c7565 4178", ErrorCode::MalformedCbor},
      {"Exact NaN value", "8201 a1 6576616c7565 f97e00", ErrorCode::MalformedCbor},
      {"Exact nested -inf", "8201 a1 6576616c7565 81 f9fc00", ErrorCode::MalformedCbor},
      {"Exact object keys out of order", "8201 a1 6576616c7565 a2 6162 01 6161 02",
       ErrorCode::MalformedCbor},
      {"Exact object integer key", "8201 a1 6576616c7565 a1 01 02", ErrorCode::MalformedCbor},
      {"Pattern integer", "8202 a1 677061747465726e 01", ErrorCode::MalformedCbor},
      {"Pattern bare text", "8202 6161", ErrorCode::MalformedCbor},
      {"OneOf not an array", "8204 a1 6676616c756573 6161", ErrorCode::MalformedCbor},
      {"Wildcard true", "8210 f5", ErrorCode::MalformedCbor},
      {"Wildcard empty map", "8210 a0", ErrorCode::MalformedCbor},
      {"Unknown map payload", "821863 a0", ErrorCode::MalformedCbor},
      {"Unknown text payload", "821863 6161", ErrorCode::MalformedCbor},
      {"Unknown uint-array payload", "821863 81 01", ErrorCode::MalformedCbor},
      {"Unknown null payload", "821863 f6", ErrorCode::MalformedCbor},
      {"reserved 6 with a map", "8206 a0", ErrorCode::MalformedCbor},
      {"known type with bytes", "8203 40", ErrorCode::MalformedCbor},
      {"Cidr invalid", "8208 63616263", ErrorCode::MalformedCbor},
      {"Cidr leading zero", "8208 " + t("010.0.0.0/8"), ErrorCode::MalformedCbor},
      {"Cidr as struct", "8208 a1 " + t("network") + t("10.0.0.0/8"), ErrorCode::MalformedCbor},
      {"UrlPattern without scheme", "8209 " + t("example.com"), ErrorCode::MalformedCbor},
      {"UrlPattern with query", "8209 " + t("https://h/x?y"), ErrorCode::MalformedCbor},
      {"Cel parent_expression null",
       "820f a2 6a65787072657373696f6e 6162 71706172656e745f65787072657373696f6e f6",
       ErrorCode::MalformedCbor},
      {"Cel keys reversed",
       "820f a2 71706172656e745f65787072657373696f6e 6161 6a65787072657373696f6e 6162",
       ErrorCode::MalformedCbor},
      {"Cel wrong single key", "820f a1 " + t("expr") + " 6161", ErrorCode::MalformedCbor},
      {"Subpath missing booleans", "8211 a1 64726f6f74 612f", ErrorCode::MalformedCbor},
      {"Shlex missing allow", "821880 a0", ErrorCode::MalformedCbor},
      {"Shlex integer entry", "821880 a1 65616c6c6f77 81 01", ErrorCode::MalformedCbor},
      {"Not bare", "820e 8210f6", ErrorCode::MalformedCbor},
      {"All child invalid", "820c a1 6b636f6e73747261696e7473 81 8210f5", ErrorCode::MalformedCbor},
      {"All not a list", "820c a1 6b636f6e73747261696e7473 8210f6", ErrorCode::MalformedCbor},
  };
  for (const auto& b : bad) {
    CAPTURE(b.name);
    const auto hex = strip(b.hex);
    auto bytes = hex_decode(hex);
    REQUIRE(bytes.has_value());
    cbor::DecodeOptions opts;
    opts.max_depth = kMaxPayloadCborDepth;
    auto v = cbor::decode(*bytes, opts);
    if (!v) {
      // Only acceptable when the row is meant to be malformed at the CBOR layer already.
      CHECK(b.code == ErrorCode::MalformedCbor);
      continue;
    }
    expect_code(constraint_from_cbor(*v), b.code);
  }
}

TEST_CASE("UrlSafe field checks") {
  auto urlsafe_with_ports = [](std::string ports_hex) {
    return "8212 a9 67736368656d6573 82 6468747470 656874747073 "
           "6d616c6c6f775f646f6d61696e73 f6 6c64656e795f646f6d61696e73 f6 6b616c6c6f775f706f727473 " +
           ports_hex +
           " 6d626c6f636b5f70726976617465 f5 6e626c6f636b5f6c6f6f706261636b f5 "
           "6e626c6f636b5f6d65746164617461 f5 6e626c6f636b5f7265736572766564 f5 "
           "73626c6f636b5f696e7465726e616c5f746c6473 f4";
  };
  CHECK(dec(urlsafe_with_ports("81 1a00010000")).error().code == ErrorCode::MalformedCbor);
  CHECK(dec(urlsafe_with_ports("81 20")).error().code == ErrorCode::MalformedCbor);
  CHECK(dec(urlsafe_with_ports("81 6138")).error().code == ErrorCode::MalformedCbor);
  CHECK(dec(urlsafe_with_ports("a0")).error().code == ErrorCode::MalformedCbor);
  auto ok = dec(urlsafe_with_ports("82 00 19ffff"));
  REQUIRE(ok.has_value());
  const auto* u = ok->get_if<c::UrlSafe>();
  REQUIRE(u != nullptr);
  CHECK(u->allow_ports == std::vector<std::uint16_t>{0, 65535});
}

TEST_CASE("ConstraintSet decode rejections") {
  const std::string cs = "6b636f6e73747261696e7473";
  CHECK(dec_set("a0").error().code == ErrorCode::MalformedCbor);
  CHECK(dec_set("f6").error().code == ErrorCode::MalformedCbor);
  CHECK(dec_set("a1 " + cs + " 80").error().code == ErrorCode::MalformedCbor);
  // "allow_unknown": false is never emitted.
  CHECK(dec_set("a2 " + cs + " a0 6d616c6c6f775f756e6b6e6f776e f4").error().code ==
        ErrorCode::MalformedCbor);
  // Wrong order of the two keys.
  CHECK(dec_set("a2 6d616c6c6f775f756e6b6e6f776e f5 " + cs + " a0").error().code ==
        ErrorCode::MalformedCbor);
  // Unknown extra key.
  CHECK(dec_set("a2 " + cs + " a0 6178 f5").error().code == ErrorCode::MalformedCbor);
  // Argument names out of byte order ("b" before "aa").
  CHECK(dec_set("a1 " + cs + " a2 6162 8210f6 626161 8210f6").error().code ==
        ErrorCode::MalformedCbor);
  // Non-text argument name.
  CHECK(dec_set("a1 " + cs + " a1 01 8210f6").error().code == ErrorCode::MalformedCbor);
  // A bad constraint inside.
  CHECK(dec_set("a1 " + cs + " a1 6178 8210f5").error().code == ErrorCode::MalformedCbor);

  // Duplicate names built directly (the CBOR reader already refuses them on the wire).
  cbor::Map inner;
  inner.push_back({cbor::Value::text("a"), to_cbor(Constraint{c::Wildcard{}})});
  inner.push_back({cbor::Value::text("a"), to_cbor(Constraint{c::Wildcard{}})});
  cbor::Map outer;
  outer.push_back({cbor::Value::text("constraints"), cbor::Value::map(inner)});
  auto dup = constraint_set_from_cbor(cbor::Value::map(outer));
  REQUIRE_FALSE(dup.has_value());
  CHECK(dup.error().code == ErrorCode::MalformedCbor);
  CHECK(dup.error().message.find("duplicate map key") != std::string::npos);
  // Nor does a hand-built text that is not UTF-8, which no decoded value can hold.
  cbor::Map bad_text;
  bad_text.push_back({cbor::Value::text("pattern"), cbor::Value::text(std::string("/data/\xff"))});
  auto not_utf8 = constraint_from_cbor(cbor::Value::array({cbor::Value::integer(2), cbor::Value::map(bad_text)}));
  REQUIRE_FALSE(not_utf8.has_value());
  CHECK(not_utf8.error().code == ErrorCode::MalformedCbor);
  CHECK(not_utf8.error().message.find("UTF-8") != std::string::npos);

  // kMaxConstraintsPerTool entries decode; one more is 1201.
  auto make = [](std::size_t n) {
    ConstraintSet s;
    for (std::size_t i = 0; i < n; ++i) {
      char name[8];
      std::snprintf(name, sizeof name, "a%03zu", i);
      s.set(name, c::Wildcard{});
    }
    return to_cbor(s);
  };
  CHECK(constraint_set_from_cbor(make(kMaxConstraintsPerTool)).has_value());
  auto over = constraint_set_from_cbor(make(kMaxConstraintsPerTool + 1));
  REQUIRE_FALSE(over.has_value());
  CHECK(over.error().code == ErrorCode::InvalidPayloadStructure);
}

TEST_CASE("nesting: 32 levels decode, 33 are TooManyConstraints") {
  auto ok = dec(nested_not(32, "8210f6"));
  REQUIRE(ok.has_value());
  CHECK(ok->depth() == 32);
  CHECK(enc(*ok) == nested_not(32, "8210f6"));
  expect_code(dec(nested_not(33, "8210f6")), ErrorCode::TooManyConstraints);
  // Far deeper input (still within the CBOR depth limit) stops at the same point.
  expect_code(dec(nested_not(60, "8210f6")), ErrorCode::TooManyConstraints);
  // All/Any count too; a leaf at depth 32 under All is fine, an empty All at level 33 is not.
  std::string all32;
  for (int i = 0; i < 31; ++i) all32 += "820ca16b636f6e73747261696e7473 81";
  CHECK(dec(all32 + "820ca16b636f6e73747261696e7473 80").has_value());
  expect_code(dec(all32 + "820ca16b636f6e73747261696e7473 81 820da16b636f6e73747261696e7473 80"),
              ErrorCode::TooManyConstraints);
  // Inside a set as well.
  const std::string cs = "a1 6b636f6e73747261696e7473 a1 6178 ";
  auto set_bad = dec_set(cs + nested_not(33, "8210f6"));
  REQUIRE_FALSE(set_bad.has_value());
  CHECK(set_bad.error().code == ErrorCode::TooManyConstraints);
  // The depth argument counts enclosing combinators.
  expect_code(constraint_from_cbor(cbor_of("820e a1 6a636f6e73747261696e74 8210f6"),
                                   kMaxConstraintDepth),
              ErrorCode::TooManyConstraints);
}

TEST_CASE("JSON: every type round-trips") {
  for (const auto& r : rows()) {
    CAPTURE(r.name);
    const auto text = to_json_text(r.c);
    CAPTURE(text);
    auto back = constraint_from_json_text(text);
    REQUIRE(back.has_value());
    CHECK(*back == r.c);
    CHECK(to_json_text(*back) == text);
  }
  auto deep = dec(nested_not(32, "8210f6"));
  REQUIRE(deep.has_value());
  auto deep_back = constraint_from_json_text(to_json_text(*deep));
  REQUIRE(deep_back.has_value());
  CHECK(*deep_back == *deep);
}

TEST_CASE("JSON: awkward values survive the round trip exactly") {
  const Value values[] = {Value{5e-324}, Value{1.7976931348623157e308}, Value{-0.0}, Value{0.1},
                          Value{1e20}, Value{123456789.125},
                          Value{std::numeric_limits<std::int64_t>::min()},
                          Value{std::string("\x01\t\x1f\x7f\xc3\xa9\xf0\x9f\x98\x80\"\\")},
                          Value::object({Member{"", Value{}}})};
  for (const auto& v : values) {
    const Constraint c = c::Exact{v};
    CAPTURE(to_json_text(c));
    auto back = constraint_from_json_text(to_json_text(c));
    REQUIRE(back.has_value());
    CHECK(*back == c);
    CHECK(enc(*back) == enc(c));  // same bytes, so -0.0 stays -0.0 and floats stay floats
  }
  const Constraint r = range(5e-324, 1.7976931348623157e308, false, false);
  auto back = constraint_from_json_text(to_json_text(r));
  REQUIRE(back.has_value());
  CHECK(enc(*back) == enc(r));
}

TEST_CASE("JSON: output form") {
  CHECK(to_json_text(range(0.0, 15.0)) ==
        R"({"type":"range","min":0.0,"max":15.0,"min_inclusive":true,"max_inclusive":true})");
  CHECK(to_json_text(range(std::nullopt, 1.5, true, false)) ==
        R"({"type":"range","min":null,"max":1.5,"min_inclusive":true,"max_inclusive":false})");
  CHECK(to_json_text(Constraint{c::Wildcard{}}) == R"({"type":"wildcard"})");
  CHECK(to_json_text(Constraint{c::Cidr{"10.0.0.0/8"}}) == R"({"type":"cidr","network":"10.0.0.0/8"})");
  CHECK(to_json_text(Constraint{c::UrlPattern{"https://h/*"}}) ==
        R"({"type":"url_pattern","pattern":"https://h/*"})");
  CHECK(to_json_text(Constraint{c::Unknown{99, {0xab, 0x01}}}) ==
        R"({"type":"unknown","type_id":99,"payload_hex":"ab01"})");
  CHECK(to_json_text(Constraint{c::All{{make_not(c::Wildcard{})}}}) ==
        R"({"type":"all","constraints":[{"type":"not","constraint":{"type":"wildcard"}}]})");
  CHECK(to_json_text(Constraint{c::Exact{Value{2.0}}}) == R"({"type":"exact","value":2.0})");
  CHECK(to_json_text(Constraint{c::Exact{Value{2}}}) == R"({"type":"exact","value":2})");
  CHECK(to_json_text(Constraint{c::Subpath{"/tmp", true, true}}) ==
        R"({"type":"subpath","root":"/tmp","case_sensitive":true,"allow_equal":true})");
  CHECK(to_json_text(Constraint{c::UrlSafe{}}) ==
        R"({"type":"url_safe","schemes":["http","https"],"allow_domains":null,"deny_domains":null,)"
        R"("allow_ports":null,"block_private":true,"block_loopback":true,"block_metadata":true,)"
        R"("block_reserved":true,"block_internal_tlds":false})");
  CHECK(to_json_text(Constraint{c::Cel{"a", std::nullopt}}) == R"({"type":"cel","expression":"a"})");
  CHECK(to_json_text(Constraint{c::Shlex{{"grep"}}}) == R"({"type":"shlex","allow":["grep"]})");
}

TEST_CASE("JSON: input defaults and conversions") {
  auto r = constraint_from_json_text(R"({"type":"range","min":0,"max":15})");
  REQUIRE(r.has_value());
  CHECK(*r == range(0.0, 15.0));
  auto r2 = constraint_from_json_text(R"({"type":"range","max":15.5,"max_inclusive":false})");
  REQUIRE(r2.has_value());
  CHECK(*r2 == range(std::nullopt, 15.5, true, false));
  auto sp = constraint_from_json_text(R"({"type":"subpath","root":"/tmp"})");
  REQUIRE(sp.has_value());
  CHECK(*sp == Constraint{c::Subpath{"/tmp", true, true}});
  auto us = constraint_from_json_text(R"({"type":"url_safe","allow_ports":[443]})");
  REQUIRE(us.has_value());
  c::UrlSafe want;
  want.allow_ports = std::vector<std::uint16_t>{443};
  CHECK(*us == Constraint{want});
  auto un = constraint_from_json_text(R"({"type":"unknown","type_id":200})");
  REQUIRE(un.has_value());
  CHECK(*un == Constraint{c::Unknown{200, {}}});

  auto value_of = [](const char* json) {
    auto e = constraint_from_json_text(std::string(R"({"type":"exact","value":)") + json + "}");
    REQUIRE(e.has_value());
    return e->get_if<c::Exact>()->value;
  };
  CHECK(value_of("5").is_int());
  CHECK(value_of("-5").as_int() == -5);
  CHECK(value_of("5.0").is_float());
  CHECK(value_of("1e2").is_float());
  CHECK(value_of("9223372036854775807").is_int());
  CHECK(value_of("9223372036854775808").is_float());
  CHECK(value_of("-9223372036854775808").is_int());
  CHECK(value_of("null").is_null());
  const auto obj = value_of(R"({"b":1,"aa":[true,"x"]})");
  REQUIRE(obj.is_object());
  CHECK(obj.as_object()[0].key == "aa");
  CHECK(obj.as_object()[1].key == "b");
}

TEST_CASE("JSON: input errors are InvalidInput") {
  std::string deep = R"({"type":"wildcard"})";
  for (int i = 0; i < 33; ++i) deep = R"({"type":"not","constraint":)" + deep + "}";
  for (std::string bad :
       {std::string("nope"), std::string("[]"), std::string(R"({"min":0})"),
        std::string(R"({"type":5})"), std::string(R"({"type":"ranges"})"),
        std::string(R"({"type":"range","min":0,"extra":1})"),
        std::string(R"({"type":"range","min":"0"})"), std::string(R"({"type":"range","min":1e400})"),
        std::string(R"({"type":"range","min_inclusive":1})"),
        std::string(R"({"type":"exact"})"), std::string(R"({"type":"exact","value":1e999})"),
        std::string(R"({"type":"pattern","pattern":1})"),
        std::string(R"({"type":"cidr","network":"10.0.0.0/33"})"),
        std::string(R"({"type":"cidr","pattern":"10.0.0.0/8"})"),
        std::string(R"({"type":"url_pattern","pattern":"nohost"})"),
        std::string(R"({"type":"one_of","values":"a"})"),
        std::string(R"({"type":"all","constraints":{}})"),
        std::string(R"({"type":"all","constraints":[5]})"),
        std::string(R"({"type":"not"})"), std::string(R"({"type":"wildcard","x":null})"),
        std::string(R"({"type":"url_safe","allow_ports":[70000]})"),
        std::string(R"({"type":"url_safe","schemes":[1]})"),
        std::string(R"({"type":"shlex"})"), std::string(R"({"type":"unknown","type_id":3})"),
        std::string(R"({"type":"unknown","type_id":256})"),
        std::string(R"({"type":"unknown","type_id":99,"payload_hex":"zz"})"),
        std::string(R"({"type":"pattern","pattern":"a","pattern":"b"})"), deep}) {
    CAPTURE(bad);
    auto r = constraint_from_json_text(bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::InvalidInput);
  }
  std::string ok_deep = R"({"type":"wildcard"})";
  for (int i = 0; i < 32; ++i) ok_deep = R"({"type":"not","constraint":)" + ok_deep + "}";
  CHECK(constraint_from_json_text(ok_deep).has_value());
}

TEST_CASE("JSON: constraint sets") {
  ConstraintSet s;
  s.set("path", pattern("/data/*"));
  s.set("n", range(std::nullopt, 5.0));
  const auto plain = to_json_text(s);
  CHECK(plain ==
        R"({"n":{"type":"range","min":null,"max":5.0,"min_inclusive":true,"max_inclusive":true},)"
        R"("path":{"type":"pattern","pattern":"/data/*"}})");
  auto back = constraint_set_from_json_text(plain);
  REQUIRE(back.has_value());
  CHECK(*back == s);

  s.allow_unknown = true;
  const auto wrapped = to_json_text(s);
  CHECK(wrapped.rfind(R"({"constraints":{"n":)", 0) == 0);
  CHECK(wrapped.find(R"(,"allow_unknown":true})") != std::string::npos);
  auto back2 = constraint_set_from_json_text(wrapped);
  REQUIRE(back2.has_value());
  CHECK(*back2 == s);

  // An argument literally named "allow_unknown" or "constraints" in the plain form.
  auto named = constraint_set_from_json_text(
      R"({"allow_unknown":{"type":"wildcard"},"constraints":{"type":"wildcard"}})");
  REQUIRE(named.has_value());
  CHECK(named->constraints.size() == 2);
  CHECK_FALSE(named->allow_unknown);

  CHECK(constraint_set_from_json_text("{}").has_value());
  CHECK(constraint_set_from_json_text("[]").error().code == ErrorCode::InvalidInput);
  CHECK(constraint_set_from_json_text(R"({"allow_unknown":true,"x":{"type":"wildcard"}})")
            .error()
            .code == ErrorCode::InvalidInput);
  CHECK(constraint_set_from_json_text(R"({"a":{"type":"bogus"}})").error().code ==
        ErrorCode::InvalidInput);
  std::string many = "{";
  for (std::size_t i = 0; i <= kMaxConstraintsPerTool; ++i)
    many += (i ? "," : "") + std::string("\"a") + std::to_string(i) + R"(":{"type":"wildcard"})";
  many += "}";
  CHECK(constraint_set_from_json_text(many).error().code == ErrorCode::InvalidInput);
}

TEST_CASE("-c spellings") {
  struct SpecRow {
    const char* spec;
    Constraint want;
  };
  c::UrlSafe us;
  us.allow_domains = std::vector<std::string>{"*.example.com"};
  const SpecRow specs[] = {
      {"pattern:/data/*", pattern("/data/*")},
      {"/data/*", pattern("/data/*")},
      {"C:\\data\\*", pattern("C:\\data\\*")},
      {"https://x/*", pattern("https://x/*")},
      {"Pattern:/x", pattern("/x")},
      {"exact:hello", c::Exact{Value{"hello"}}},
      {"exact:5", c::Exact{Value{5}}},
      {"exact:5.0", c::Exact{Value{5.0}}},
      {"exact:\"5\"", c::Exact{Value{"5"}}},
      {"exact:true", c::Exact{Value{true}}},
      {"exact:[1,\"a\"]", c::Exact{Value{List{Value{1}, Value{"a"}}}}},
      {"exact:a b", c::Exact{Value{"a b"}}},
      {"exact:", c::Exact{Value{""}}},
      {"regex:^a.*$", c::Regex{"^a.*$"}},
      {"range:0..15", range(0.0, 15.0)},
      {"range:..15", range(std::nullopt, 15.0)},
      {"range:0..", range(0.0, std::nullopt)},
      {"range:0..<15", range(0.0, 15.0, true, false)},
      {"range:-1.5..2.5", range(-1.5, 2.5)},
      {"oneof:a, b ,c", c::OneOf{{Value{"a"}, Value{"b"}, Value{"c"}}}},
      {"one_of:[1,2]", c::OneOf{{Value{1}, Value{2}}}},
      {"notoneof:x", c::NotOneOf{{Value{"x"}}}},
      {"contains:read,write", c::Contains{{Value{"read"}, Value{"write"}}}},
      {"subset:a", c::Subset{{Value{"a"}}}},
      {"cidr:10.0.0.0/8", c::Cidr{"10.0.0.0/8"}},
      {"url:https://*.example.com/*", c::UrlPattern{"https://*.example.com/*"}},
      {"url_pattern:https://h", c::UrlPattern{"https://h"}},
      {"wildcard", c::Wildcard{}},
      {"*", c::Wildcard{}},
      {"subpath:/tmp", c::Subpath{"/tmp", true, true}},
      {"subpath:/tmp;case_insensitive", c::Subpath{"/tmp", false, true}},
      {"subpath:/tmp;no_equal;case_insensitive", c::Subpath{"/tmp", false, false}},
      {"urlsafe", c::UrlSafe{}},
      {"url_safe:", c::UrlSafe{}},
      {"urlsafe:{\"allow_domains\":[\"*.example.com\"]}", us},
      {"shlex:grep, ls", c::Shlex{{"grep", "ls"}}},
      {"cel:x > 1", c::Cel{"x > 1", std::nullopt}},
      {"json:{\"type\":\"not\",\"constraint\":{\"type\":\"pattern\",\"pattern\":\"a\"}}",
       make_not(pattern("a"))},
  };
  for (const auto& s : specs) {
    CAPTURE(s.spec);
    auto got = parse_constraint_spec(s.spec);
    REQUIRE(got.has_value());
    CHECK(*got == s.want);
  }
  for (const char* bad : {"", "range:", "range:5", "range:a..b", "range:0..<", "range:1..nan",
                          "cidr:10.0.0.0/33", "url:nohost", "subpath:", "subpath:/x;bogus",
                          "urlsafe:[1]", "urlsafe:{\"type\":\"url_safe\"}", "json:{}",
                          "oneof:[1", "shlex:[1]", "wildcard:x"}) {
    CAPTURE(bad);
    auto got = parse_constraint_spec(bad);
    REQUIRE_FALSE(got.has_value());
    CHECK(got.error().code == ErrorCode::InvalidInput);
  }
}

TEST_CASE("display") {
  c::UrlSafe us;
  us.allow_domains = std::vector<std::string>{"*.example.com"};
  c::UrlSafe us2;
  us2.allow_ports = std::vector<std::uint16_t>{443};
  us2.block_private = false;
  struct D {
    Constraint c;
    const char* want;
  };
  const D rows_[] = {
      {pattern("/data/*"), R"(Pattern("/data/*"))"},
      {range(std::nullopt, 15.0), "Range(max=15)"},
      {range(0.0, 15.0), "Range(min=0, max=15)"},
      {range(0.0, 15.0, true, false), "Range(min=0, max=15, max_inclusive=false)"},
      {range(1.5, std::nullopt, false, true), "Range(min=1.5, min_inclusive=false)"},
      {c::Subpath{"/tmp", true, true}, R"(Subpath("/tmp"))"},
      {c::Subpath{"/tmp", false, false}, R"(Subpath("/tmp", case_sensitive=false, allow_equal=false))"},
      {c::Exact{Value{"x"}}, R"(Exact("x"))"},
      {c::Exact{Value{2}}, "Exact(2)"},
      {c::Exact{Value{2.0}}, "Exact(2.0)"},
      {c::OneOf{{Value{"a"}, Value{"b"}}}, R"(OneOf(["a", "b"]))"},
      {c::NotOneOf{{Value{1}}}, "NotOneOf([1])"},
      {c::Contains{{}}, "Contains([])"},
      {c::Subset{{Value{"a"}}}, R"(Subset(["a"]))"},
      {c::Regex{"^a\"b$"}, R"(Regex("^a\"b$"))"},
      {c::Cidr{"10.0.0.0/8"}, R"(Cidr("10.0.0.0/8"))"},
      {c::UrlPattern{"https://h/*"}, R"(UrlPattern("https://h/*"))"},
      {c::UrlSafe{}, "UrlSafe()"},
      {us, R"(UrlSafe(allow_domains=["*.example.com"]))"},
      {us2, "UrlSafe(allow_ports=[443], block_private=false)"},
      {c::All{{pattern("a"), range(std::nullopt, 5.0)}}, R"(All([Pattern("a"), Range(max=5)]))"},
      {c::Any{{}}, "Any([])"},
      {make_not(pattern("x")), R"(Not(Pattern("x")))"},
      {c::Wildcard{}, "Wildcard()"},
      {c::Shlex{{"grep", "ls"}}, R"(Shlex(allow=["grep", "ls"]))"},
      {c::Cel{"x > 1", std::nullopt}, R"(Cel("x > 1"))"},
      {c::Unknown{99, {1}}, "Unknown(type=99)"},
  };
  for (const auto& d : rows_) {
    CAPTURE(d.want);
    CHECK(display(d.c) == d.want);
  }
}
}
