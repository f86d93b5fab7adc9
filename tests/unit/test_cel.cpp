#include <tenuo/cel.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <vector>

using tenuo::CelLimits;
using tenuo::CelProgram;
using tenuo::ErrorCode;
using tenuo::Value;

namespace {

Value obj(tenuo::Object members) { return Value::object(std::move(members)); }

// Evaluates `expr` with `arg` bound (null → `value` is null).
tenuo::Result<Value> run(std::string_view expr, const Value& arg = Value(),
                         const CelLimits& limits = {}) {
  auto p = CelProgram::compile(expr);
  if (!p) return tenuo::Unexpected{p.error()};
  return p->evaluate(arg, limits);
}

// The result of `expr`, which must evaluate.
Value ok(std::string_view expr, const Value& arg = Value()) {
  auto r = run(expr, arg);
  INFO(expr);
  REQUIRE_MESSAGE(r.has_value(), r.error().message);
  return *r;
}

// True when `expr` compiles but evaluation fails with ConstraintViolation.
bool eval_error(std::string_view expr, const Value& arg = Value(), const CelLimits& limits = {}) {
  auto p = CelProgram::compile(expr);
  if (!p) return false;
  auto r = p->evaluate(arg, limits);
  return !r && r.error().code == ErrorCode::ConstraintViolation;
}

// True when `expr` fails to compile with ConstraintViolation.
bool compile_error(std::string_view expr) {
  auto p = CelProgram::compile(expr);
  return !p && p.error().code == ErrorCode::ConstraintViolation;
}

const std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
const std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

}  // namespace

TEST_SUITE("tenuo::cel") {

TEST_CASE("literals of every type") {
  CHECK(ok("42") == Value(42));
  CHECK(ok("-42") == Value(-42));
  CHECK(ok("0x1F") == Value(31));
  CHECK(ok("-9223372036854775808") == Value(kMin));
  CHECK(ok("9223372036854775807") == Value(kMax));
  CHECK(ok("7u") == Value(7));
  CHECK(ok("0xFFu") == Value(255));
  CHECK(ok("18446744073709551615u") == Value(18446744073709551615.0));  // uint > i64 → Float
  CHECK(ok("1.5") == Value(1.5));
  CHECK(ok("-2.5e3") == Value(-2500.0));
  CHECK(ok(".25") == Value(0.25));
  CHECK(ok("1e2") == Value(100.0));
  CHECK(ok("2.0") != Value(2));  // double stays a Float
  CHECK(ok("true") == Value(true));
  CHECK(ok("false") == Value(false));
  CHECK(ok("null") == Value());
  CHECK(ok("'single'") == Value("single"));
  CHECK(ok("\"double\"") == Value("double"));
  CHECK(ok(R"("a\tb\n\\\"\x41\101\u00e9\U0001F600")") ==
        Value("a\tb\n\\\"AA\xC3\xA9\xF0\x9F\x98\x80"));
  CHECK(ok(R"(r"a\tb")") == Value("a\\tb"));
  CHECK(ok(R"(R'\d+')") == Value("\\d+"));
  CHECK(ok("'''multi\nline'''") == Value("multi\nline"));
  CHECK(ok(R"("""has "quotes" inside""")") == Value("has \"quotes\" inside"));
  CHECK(ok("b'abc'") == Value("abc"));
  CHECK(ok(R"(b"\xff" == b"\377")") == Value(true));
  CHECK(eval_error(R"(b"\xff")"));  // non-UTF-8 bytes have no protocol form
  CHECK(ok(R"(size(b"\xff\x00"))") == Value(2));
  CHECK(ok(R"(size("\xff"))") == Value(1));  // in a string \xff is U+00FF
  CHECK(ok("[1, 'a', true, null, [2]]") == Value(tenuo::List{1, "a", true, nullptr, tenuo::List{2}}));
  CHECK(ok("[1, 2,]") == Value(tenuo::List{1, 2}));
  CHECK(ok("{'b': 1, 'a': [true]}") == obj({{"a", tenuo::List{true}}, {"b", 1}}));
  CHECK(ok("{}") == obj({}));
  CHECK(ok("// comment\n 1 // trailing") == Value(1));
}

TEST_CASE("malformed literals and syntax are compile errors") {
  for (const char* e : {"9223372036854775808", "-9223372036854775809", "18446744073709551616u",
                        "0x", "1e", "1e999", "'unterminated", "'new\nline'", R"("\q")",
                        R"("\x4")", R"(b"\u0041")", R"("\uD800")", "1 +", "(1", "[1", "{1:2",
                        "a.", "1 = 1", "1 & 1", "a ? b", "if", "while", "let", "x.true",
                        "Msg{f: 1}", "@", "", "   ", "1 2", ")"}) {
    CAPTURE(e);
    CHECK(compile_error(e));
  }
  CHECK(compile_error(std::string("'\xff'")));  // source must be UTF-8
}

TEST_CASE("arithmetic, overflow and division by zero") {
  CHECK(ok("1 + 2 * 3 - 4 / 2") == Value(5));
  CHECK(ok("(1 + 2) * 3") == Value(9));
  CHECK(ok("7 % 3") == Value(1));
  CHECK(ok("-7 / 2") == Value(-3));
  CHECK(ok("-7 % 3") == Value(-1));
  CHECK(ok("--5") == Value(5));
  CHECK(ok("3u * 4u - 2u") == Value(10));
  CHECK(ok("1.5 * 2.0") == Value(3.0));
  CHECK(ok("1.0 / 0.0 > 1e308") == Value(true));  // IEEE: +inf
  CHECK(ok("'ab' + 'cd'") == Value("abcd"));
  CHECK(ok("[1] + [2, 3]") == Value(tenuo::List{1, 2, 3}));
  CHECK(ok("b'a' + b'b' == b'ab'") == Value(true));
  for (const char* e : {"9223372036854775807 + 1", "-9223372036854775808 - 1",
                        "4611686018427387904 * 2", "-(-9223372036854775808)",
                        "-9223372036854775808 / -1", "-9223372036854775808 % -1", "1 / 0",
                        "1 % 0", "0u - 1u", "18446744073709551615u + 1u", "1u / 0u", "1u % 0u",
                        "1 + 1.0", "1 + 1u", "'a' + 1", "1.5 % 1.0", "-1u", "-'a'", "!1",
                        "{} + {}", "true + true"}) {
    CAPTURE(e);
    CHECK(eval_error(e));
  }
}

TEST_CASE("comparisons, heterogeneous numeric equality") {
  CHECK(ok("1 < 2") == Value(true));
  CHECK(ok("2 <= 2") == Value(true));
  CHECK(ok("3 > 4") == Value(false));
  CHECK(ok("4 >= 5") == Value(false));
  CHECK(ok("'abc' < 'abd'") == Value(true));
  CHECK(ok("'é' > 'z'") == Value(true));  // code point order
  CHECK(ok("b'a' < b'b'") == Value(true));
  CHECK(ok("false < true") == Value(true));
  CHECK(ok("1 == 1.0") == Value(true));
  CHECK(ok("1 == 1u") == Value(true));
  CHECK(ok("1u == 1.0") == Value(true));
  CHECK(ok("-1 < 0u") == Value(true));
  CHECK(ok("1 < 1.5") == Value(true));
  CHECK(ok("9223372036854775807 < 9223372036854775808.0") == Value(true));
  CHECK(ok("9223372036854775807 == 9223372036854775808.0") == Value(false));  // no rounding
  CHECK(ok("18446744073709551615u > 9223372036854775807") == Value(true));
  CHECK(ok("1 == '1'") == Value(false));  // different kinds: unequal, not an error
  CHECK(ok("null == null") == Value(true));
  CHECK(ok("null != 0") == Value(true));
  CHECK(ok("[1, 'a'] == [1.0, 'a']") == Value(true));
  CHECK(ok("[1] == [1, 2]") == Value(false));
  CHECK(ok("{'a': 1} == {'a': 1u}") == Value(true));
  CHECK(ok("{'a': 1} != {'b': 1}") == Value(true));
  CHECK(ok("double('NaN') == double('NaN')") == Value(false));
  CHECK(ok("double('NaN') < 1") == Value(false));
  CHECK(ok("double('NaN') >= 1") == Value(false));
  for (const char* e : {"1 < 'a'", "'a' < b'a'", "null < null", "[1] < [2]", "true < 1"}) {
    CAPTURE(e);
    CHECK(eval_error(e));
  }
}

TEST_CASE("&& and || follow CEL's commutative error semantics") {
  struct Row { const char* expr; int want; };  // 1 true, 0 false, -1 error
  const Row rows[] = {
      {"true && true", 1},        {"true && false", 0},       {"false && true", 0},
      {"false && false", 0},      {"false && (1/0 == 1)", 0}, {"(1/0 == 1) && false", 0},
      {"true && (1/0 == 1)", -1}, {"(1/0 == 1) && true", -1}, {"true || false", 1},
      {"false || false", 0},      {"true || (1/0 == 1)", 1},  {"(1/0 == 1) || true", 1},
      {"false || (1/0 == 1)", -1}, {"(1/0 == 1) || false", -1}, {"1 && false", 0},
      {"1 && true", -1},          {"'x' || true", 1},         {"'x' || false", -1},
      {"nope && false", 0},       {"nope || true", 1},        {"nope && true", -1},
      {"true && true && false", 0}, {"false || false || true", 1},
      {"!true", 0},               {"!!true", 1},              {"!(1 < 2)", 0},
  };
  for (const auto& r : rows) {
    CAPTURE(r.expr);
    auto v = run(r.expr);
    if (r.want < 0) {
      REQUIRE_FALSE(v.has_value());
      CHECK(v.error().code == ErrorCode::ConstraintViolation);
    } else {
      REQUIRE(v.has_value());
      CHECK(*v == Value(r.want == 1));
    }
  }
}

TEST_CASE("ternary") {
  CHECK(ok("1 < 2 ? 'yes' : 'no'") == Value("yes"));
  CHECK(ok("1 > 2 ? 'yes' : 'no'") == Value("no"));
  CHECK(ok("false ? 1/0 : 7") == Value(7));  // the other branch is not evaluated
  CHECK(ok("true ? 1 : false ? 2 : 3") == Value(1));
  CHECK(ok("false ? 1 : false ? 2 : 3") == Value(3));
  CHECK(eval_error("1 ? 2 : 3"));
}

TEST_CASE("in on lists and maps") {
  CHECK(ok("2 in [1, 2, 3]") == Value(true));
  CHECK(ok("4 in [1, 2, 3]") == Value(false));
  CHECK(ok("2.0 in [1, 2]") == Value(true));
  CHECK(ok("'2' in [1, 2]") == Value(false));
  CHECK(ok("'a' in {'a': 1}") == Value(true));
  CHECK(ok("'b' in {'a': 1}") == Value(false));
  CHECK(ok("1u in {1: 'x'}") == Value(true));
  CHECK(ok("[1] in [[1], [2]]") == Value(true));
  CHECK(ok("1 in []") == Value(false));
  CHECK(eval_error("1 in 'abc'"));
  auto args = obj({{"tags", tenuo::List{"a", "b"}}, {"meta", obj({{"k", 1}})}});
  CHECK(ok("'b' in tags && 'k' in meta && !('z' in meta)", args) == Value(true));
}

TEST_CASE("field and index access on object arguments") {
  auto args = obj({{"amount", 250},
                   {"user", obj({{"name", "ann"}, {"roles", tenuo::List{"admin", "dev"}}})},
                   {"list", tenuo::List{10, 20, 30}},
                   {"price", 9.5},
                   {"flag", true},
                   {"nothing", nullptr}});
  CHECK(ok("amount", args) == Value(250));
  CHECK(ok("user.name", args) == Value("ann"));
  CHECK(ok("user['name']", args) == Value("ann"));
  CHECK(ok("user.roles[1]", args) == Value("dev"));
  CHECK(ok("list[0] + list[2]", args) == Value(40));
  CHECK(ok("list[1u]", args) == Value(20));
  CHECK(ok("price * 2.0", args) == Value(19.0));
  CHECK(ok("flag && nothing == null", args) == Value(true));
  CHECK(ok("has(user.name)", args) == Value(true));
  CHECK(ok("has(user.email)", args) == Value(false));
  CHECK(ok("{'a': {'b': 5}}.a.b") == Value(5));
  CHECK(ok("user", args) == obj({{"name", "ann"}, {"roles", tenuo::List{"admin", "dev"}}}));
  CHECK(eval_error("user.email", args));      // missing key
  CHECK(eval_error("list[3]", args));         // out of range
  CHECK(eval_error("list[-1]", args));
  CHECK(eval_error("list['a']", args));
  CHECK(eval_error("amount.x", args));        // no fields on int
  CHECK(eval_error("has(amount.x)", args));
  CHECK(eval_error("value", args));           // an Object binds its fields, not `value`
  CHECK(eval_error("missing == 1", args));
  CHECK(compile_error("has(amount)"));
}

TEST_CASE("scalar and list arguments are bound as value") {
  CHECK(ok("value", Value(5)) == Value(5));
  CHECK(ok("value + 1", Value(5)) == Value(6));
  CHECK(ok("value.startsWith('/data/')", Value("/data/x")) == Value(true));
  CHECK(ok("size(value)", Value(tenuo::List{1, 2})) == Value(2));
  CHECK(ok("value[1]", Value(tenuo::List{"a", "b"})) == Value("b"));
  CHECK(ok("value == null", Value()) == Value(true));
  CHECK(ok("value > 1", Value(1.5)) == Value(true));
  CHECK(eval_error("amount", Value(5)));
}

TEST_CASE("type names and type()") {
  CHECK(ok("type(1) == int") == Value(true));
  CHECK(ok("type(1u) == uint && type(1.0) == double && type('') == string") == Value(true));
  CHECK(ok("type(b'') == bytes && type(true) == bool && type(null) == null_type") ==
        Value(true));
  CHECK(ok("type([]) == list && type({}) == map && type(int) == type") == Value(true));
  CHECK(ok("type(value) == string", Value("x")) == Value(true));
  CHECK(ok("dyn(3) == 3") == Value(true));
  CHECK(eval_error("type(1)"));  // a type value has no protocol form
}

TEST_CASE("string functions") {
  CHECK(ok("size('héllo')") == Value(5));  // code points
  CHECK(ok("'héllo'.size()") == Value(5));
  CHECK(ok("size([1, 2, 3]) == 3 && size({'a': 1}) == 1 && size(b'ab') == 2") == Value(true));
  CHECK(ok("'hello world'.contains('o w')") == Value(true));
  CHECK(ok("'hello'.contains('')") == Value(true));
  CHECK(ok("'hello'.contains('z')") == Value(false));
  CHECK(ok("'hello'.startsWith('he')") == Value(true));
  CHECK(ok("'hello'.startsWith('hello!')") == Value(false));
  CHECK(ok("'hello'.endsWith('llo')") == Value(true));
  CHECK(ok("'hello'.endsWith('he')") == Value(false));
  CHECK(ok("'abc123'.matches('[0-9]+')") == Value(true));   // unanchored
  CHECK(ok("'abc123'.matches('^[0-9]+$')") == Value(false));
  CHECK(ok("matches('abc', '^a.c$')") == Value(true));
  CHECK(ok("[1, 2].contains(2) && {'k': 1}.contains('k')") == Value(true));
  auto args = obj({{"s", "report-2024.pdf"}, {"re", "^report-[0-9]{4}\\.pdf$"}, {"bad", "("}});
  CHECK(ok("s.matches(re)", args) == Value(true));  // pattern from the argument
  CHECK(eval_error("s.matches(bad)", args));        // invalid regex at run time
  CHECK(compile_error("'x'.matches('(')"));         // invalid literal regex at compile time
  CHECK(compile_error("'x'.matches('a', 'b')"));
  CHECK(eval_error("size(1)"));
  CHECK(eval_error("'a'.contains(1)"));
  CHECK(eval_error("(1).startsWith('a')"));
  CHECK(eval_error("'a'.matches(1)"));
}

TEST_CASE("regex on a large argument finishes within the budget") {
  std::string big(60 * 1024, 'a');
  auto r = tenuo::cel_matches("value.matches('(a|aa)*b')", Value(big));
  REQUIRE(r.has_value());
  CHECK(*r == false);
}

TEST_CASE("conversions with range checks") {
  CHECK(ok("int(3.9)") == Value(3));
  CHECK(ok("int(-3.9)") == Value(-3));
  CHECK(ok("int('-42')") == Value(-42));
  CHECK(ok("int('+7')") == Value(7));
  CHECK(ok("int(5u)") == Value(5));
  CHECK(ok("int(-9223372036854775808.0)") == Value(kMin));
  CHECK(ok("uint(-0.0) == 0u") == Value(true));
  CHECK(ok("uint(5) == 5u") == Value(true));
  CHECK(ok("uint('18446744073709551615') == 18446744073709551615u") == Value(true));
  CHECK(ok("uint(2.7) == 2u") == Value(true));
  CHECK(ok("double(3)") == Value(3.0));
  CHECK(ok("double('2.5')") == Value(2.5));
  CHECK(ok("double(10u)") == Value(10.0));
  CHECK(ok("string(42)") == Value("42"));
  CHECK(ok("string(7u)") == Value("7"));
  CHECK(ok("string(1.5)") == Value("1.5"));
  CHECK(ok("string(2.0)") == Value("2"));
  CHECK(ok("string(1e21)") == Value("1000000000000000000000"));
  CHECK(ok("string(0.0001)") == Value("0.0001"));
  CHECK(ok("string(-0.5)") == Value("-0.5"));
  CHECK(ok("string(true)") == Value("true"));
  CHECK(ok("string(b'abc')") == Value("abc"));
  CHECK(ok("bytes('abc') == b'abc'") == Value(true));
  CHECK(ok("bool('true') && !bool('false') && bool('1') && !bool('f')") == Value(true));
  CHECK(ok("int(value) == 12", Value("12")) == Value(true));
  for (const char* e : {"int(9223372036854775807.0 * 2.0)", "int(-1e19)", "int(double('NaN'))",
                        "int(1.0 / 0.0)", "int(18446744073709551615u)", "int('12x')",
                        "int('')", "int('0x10')", "int('9223372036854775808')", "int(true)",
                        "uint(-1)", "uint(-1.5)", "uint(-0.5)", "int(9223372036854775808.0)", "uint(1e20)", "uint('-1')", "uint('abc')",
                        "double('x')", "double([])", "string(b'\\xff')", "string(null)",
                        "string([1])", "bool('yes')", "bool(1)", "bytes(1)"}) {
    CAPTURE(e);
    CHECK(eval_error(e));
  }
}

TEST_CASE("macros: all, exists, exists_one, map, filter") {
  CHECK(ok("[1, 2, 3].all(x, x > 0)") == Value(true));
  CHECK(ok("[1, 2, 3].all(x, x > 1)") == Value(false));
  CHECK(ok("[].all(x, false)") == Value(true));
  CHECK(ok("[1, 2, 3].exists(x, x == 2)") == Value(true));
  CHECK(ok("[1, 2, 3].exists(x, x == 5)") == Value(false));
  CHECK(ok("[].exists(x, true)") == Value(false));
  CHECK(ok("[1, 2, 3].exists_one(x, x > 2)") == Value(true));
  CHECK(ok("[1, 2, 3].exists_one(x, x > 1)") == Value(false));
  CHECK(ok("[1, 2, 3].map(x, x * 2)") == Value(tenuo::List{2, 4, 6}));
  CHECK(ok("[1, 2, 3].map(x, x > 1, x * 10)") == Value(tenuo::List{20, 30}));
  CHECK(ok("[1, 2, 3, 4].filter(x, x % 2 == 0)") == Value(tenuo::List{2, 4}));
  CHECK(ok("{'a': 1, 'b': 2}.all(k, k in ['a', 'b'])") == Value(true));
  CHECK(ok("[[1, 2], [3]].all(l, l.all(x, x < 4))") == Value(true));
  CHECK(ok("[1, 2].exists(x, [3, 4].exists(x, x == 4))") == Value(true));  // inner shadows
  // Errors: absorbed by all/exists when another element decides, else propagated.
  CHECK(ok("[0, 1].exists(x, 1 / x == 1)") == Value(true));
  CHECK(ok("[0, 1].all(x, 1 / x == 5)") == Value(false));
  CHECK(eval_error("[0, 1].all(x, 1 / x == 1)"));
  CHECK(eval_error("[0, 1].exists(x, 1 / x == 5)"));
  CHECK(eval_error("[1, 2].all(x, x)"));
  CHECK(eval_error("[0].map(x, 1 / x)"));
  CHECK(eval_error("[1].filter(x, 1)"));
  CHECK(eval_error("[1].exists_one(x, 1 / 0 == 1)"));
  CHECK(eval_error("(1).all(x, true)"));
  CHECK(eval_error("[1].all(x, x > 0) && x > 0"));  // the variable is not in scope after
  CHECK(compile_error("[1].all(1, true)"));
  CHECK(compile_error("[1].all(x.y, true)"));
  auto args = obj({{"recipients", tenuo::List{"a@corp.com", "b@corp.com"}}});
  CHECK(ok("recipients.all(r, r.endsWith('@corp.com'))", args) == Value(true));
}

TEST_CASE("unknown identifiers and functions") {
  CHECK(eval_error("nope"));
  CHECK(eval_error("nope", obj({{"yes", 1}})));
  CHECK(compile_error("nope()"));
  CHECK(compile_error("'a'.nope()"));
  CHECK(compile_error("size()"));
  CHECK(compile_error("size(1, 2)"));
  CHECK(compile_error("'a'.size(1)"));
  CHECK(eval_error("1.contains('a')"));  // compiles (receiver call on 1), no overload
  CHECK(compile_error("int.foo()"));
}

TEST_CASE("net functions") {
  CHECK(ok("net_in_cidr('10.1.2.3', '10.0.0.0/8')") == Value(true));
  CHECK(ok("net_in_cidr('11.1.2.3', '10.0.0.0/8')") == Value(false));
  CHECK(ok("net_in_cidr('192.168.1.77', '192.168.1.0/255.255.255.0')") == Value(true));
  CHECK(ok("net_in_cidr('10.0.0.1', '10.0.0.1')") == Value(true));
  CHECK(ok("net_in_cidr('10.0.0.9', '10.0.0.1/32')") == Value(false));
  CHECK(ok("net_in_cidr('10.9.9.9', '10.1.2.3/8')") == Value(true));  // host bits masked
  CHECK(ok("net_in_cidr('2001:db8::1', '2001:db8::/32')") == Value(true));
  CHECK(ok("net_in_cidr('2001:db9::1', '2001:db8::/32')") == Value(false));
  CHECK(ok("net_in_cidr('::ffff:10.0.0.1', '::ffff:10.0.0.0/104')") == Value(true));
  CHECK(ok("net_in_cidr('10.0.0.1', '::ffff:10.0.0.0/104')") == Value(false));
  CHECK(ok("net_in_cidr('1.2.3.4', '0.0.0.0/0')") == Value(true));
  CHECK(ok("net_is_private('10.0.0.1') && net_is_private('172.31.255.255') && "
           "net_is_private('192.168.0.1') && net_is_private('127.0.0.1') && "
           "net_is_private('169.254.169.254') && net_is_private('fd00::1') && "
           "net_is_private('fe80::1') && net_is_private('::1') && "
           "net_is_private('::ffff:192.168.1.1')") == Value(true));
  CHECK(ok("net_is_private('8.8.8.8') || net_is_private('172.32.0.1') || "
           "net_is_private('2001:4860::8888') || net_is_private('::ffff:8.8.8.8')") ==
        Value(false));
  auto args = obj({{"ip", "192.168.5.5"}});
  CHECK(ok("net_in_cidr(ip, '192.168.0.0/16') && net_is_private(ip)", args) == Value(true));
  for (const char* e : {"net_in_cidr('010.0.0.1', '10.0.0.0/8')", "net_in_cidr('1.2.3', '1.0.0.0/8')",
                        "net_in_cidr('1.2.3.4', '1.0.0.0/33')", "net_in_cidr('1.2.3.4', '1.0.0.0/255.0.255.0')",
                        "net_in_cidr('::1::', '::/0')", "net_in_cidr('[::1]', '::/0')",
                        "net_in_cidr('fe80::1%eth0', '::/0')", "net_in_cidr('1.2.3.4', 'x')",
                        "net_in_cidr('256.1.1.1', '0.0.0.0/0')", "net_in_cidr(1, '0.0.0.0/0')",
                        "net_is_private('localhost')", "net_is_private(1)",
                        "net_in_cidr('1:2:3:4:5:6:7:8:9', '::/0')", "net_in_cidr('::', '::/129')"}) {
    CAPTURE(e);
    CHECK(eval_error(e));
  }
}

TEST_CASE("time functions fail closed") {
  CHECK(eval_error("time_now()"));
  CHECK(eval_error("time_is_expired('2020-01-01T00:00:00Z')"));
  CHECK(eval_error("time_since('2020-01-01T00:00:00Z') > 0"));
  auto r = tenuo::cel_matches("!time_is_expired(expires)", obj({{"expires", "2999-01-01T00:00:00Z"}}));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == ErrorCode::ConstraintViolation);
}

TEST_CASE("cost limit") {
  CelLimits tight;
  tight.max_cost = 50;
  CHECK(run("1 + 1", Value(), tight).has_value());
  CHECK(eval_error("[1,2,3,4,5,6,7,8,9,10].map(x, [1,2,3,4,5,6,7,8,9,10].map(y, x * y))",
                   Value(), tight));
  // Quadratic blow-up from the argument is stopped by the default budget.
  tenuo::List items;
  for (int k = 0; k < 1000; ++k) items.emplace_back(k);
  auto args = obj({{"l", items}});
  CHECK(eval_error("l.all(x, l.all(y, x + y >= 0))", args));
  CHECK(ok("l.all(x, x >= 0)", args) == Value(true));
  // String doubling is charged per byte produced.
  std::string e = "'aaaaaaaaaaaaaaaa'";
  for (int k = 0; k < 18; ++k) e = "[" + e + "].map(s, s + s)[0]";
  CHECK(eval_error(e));
  // The exhausted budget is not absorbed by || or exists().
  CelLimits small;
  small.max_cost = 200;
  CHECK(eval_error("l.exists(x, x < 0) || true", args, small));
  CHECK(eval_error("[1].exists(z, l.exists(x, x < 0)) || true", args, small));
  auto m = tenuo::cel_matches("l.all(x, l.all(y, true))", args);
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().code == ErrorCode::ConstraintViolation);
}

TEST_CASE("deep nesting and long expressions are rejected at compile time") {
  auto nested = [](std::size_t n, const std::string& open, const std::string& mid,
                   const std::string& close) {
    std::string s;
    for (std::size_t k = 0; k < n; ++k) s += open;
    s += mid;
    for (std::size_t k = 0; k < n; ++k) s += close;
    return s;
  };
  CHECK(ok(nested(30, "(", "1", ")")) == Value(1));
  CHECK(compile_error(nested(100, "(", "1", ")")));
  CHECK(compile_error(nested(5000, "(", "1", ")")));
  CHECK(compile_error(nested(5000, "[", "1", "]")));
  CHECK(compile_error(nested(5000, "{1:", "1", "}")));
  CHECK(compile_error(std::string(5000, '!') + "true"));
  CHECK(compile_error(std::string(5000, '-') + "x"));
  std::string sum = "1";
  for (int k = 0; k < 200; ++k) sum += " + 1";
  CHECK(compile_error(sum));  // a left-deep tree deeper than the limit
  std::string member = "a";
  for (int k = 0; k < 200; ++k) member += ".b";
  CHECK(compile_error(member));
  std::string cond = "x";
  for (int k = 0; k < 200; ++k) cond = "c ? y : " + cond;
  CHECK(compile_error(cond));
  // Long && / || chains are one AST level: allowed.
  std::string chain = "value == 0";
  for (int k = 1; k < 500; ++k) chain += " || value == " + std::to_string(k);
  CHECK(ok(chain, Value(499)) == Value(true));
  CHECK(compile_error(std::string(tenuo::kMaxCelExpressionBytes + 1, ' ') + "1"));
}

TEST_CASE("cel_matches on realistic warrant expressions") {
  struct Row { const char* expr; Value args; bool want; };
  const Row rows[] = {
      {"amount < 1000 && currency in ['USD', 'EUR']", obj({{"amount", 250}, {"currency", "USD"}}), true},
      {"amount < 1000 && currency in ['USD', 'EUR']", obj({{"amount", 5000}, {"currency", "USD"}}), false},
      {"amount < 1000 && currency in ['USD', 'EUR']", obj({{"amount", 999.5}, {"currency", "EUR"}}), true},
      {"amount < 1000 && currency in ['USD', 'EUR']", obj({{"amount", 10}, {"currency", "GBP"}}), false},
      {"path.startsWith('/data/') && !path.contains('..')", obj({{"path", "/data/reports/q1.csv"}}), true},
      {"path.startsWith('/data/') && !path.contains('..')", obj({{"path", "/data/../etc/passwd"}}), false},
      {"path.startsWith('/data/')", obj({{"path", "/etc/shadow"}}), false},
      {"size(recipients) <= 3", obj({{"recipients", tenuo::List{"a", "b", "c"}}}), true},
      {"size(recipients) <= 3", obj({{"recipients", tenuo::List{"a", "b", "c", "d"}}}), false},
      {"recipients.all(r, r.endsWith('@example.com'))",
       obj({{"recipients", tenuo::List{"x@example.com", "y@evil.com"}}}), false},
      {"value.matches('^[a-z]+$')", Value("hello"), true},
      {"value.matches('^[a-z]+$')", Value("Hello"), false},
      {"value >= 1 && value <= 10", Value(10), true},
      {"value >= 1 && value <= 10", Value(10.5), false},
      {"query.limit <= 100 && query.table in ['orders', 'users']",
       obj({{"query", obj({{"limit", 50}, {"table", "orders"}})}}), true},
      {"has(opts.force) ? opts.force == false : true", obj({{"opts", obj({})}}), true},
      {"has(opts.force) ? opts.force == false : true", obj({{"opts", obj({{"force", true}})}}), false},
      {"net_in_cidr(host, '10.0.0.0/8') && port in [443, 8443]",
       obj({{"host", "10.2.3.4"}, {"port", 443}}), true},
  };
  for (const auto& r : rows) {
    CAPTURE(r.expr);
    auto v = tenuo::cel_matches(r.expr, r.args);
    REQUIRE_MESSAGE(v.has_value(), v.error().message);
    CHECK(*v == r.want);
  }
  // Failures are errors with 1501, never a silent false/true.
  for (const char* e : {"amount", "'yes'", "1 +", "missing < 3", "amount / 0 == 1", "null"}) {
    CAPTURE(e);
    auto v = tenuo::cel_matches(e, obj({{"amount", 5}}));
    REQUIRE_FALSE(v.has_value());
    CHECK(v.error().code == ErrorCode::ConstraintViolation);
    CHECK(v.error().numeric() == 1501);
  }
  // A string where a number is expected and the reverse.
  auto s = tenuo::cel_matches("amount < 1000", obj({{"amount", "5"}}));
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error().code == ErrorCode::ConstraintViolation);
  auto n = tenuo::cel_matches("name.startsWith('a')", obj({{"name", 5}}));
  REQUIRE_FALSE(n.has_value());
  CHECK(n.error().code == ErrorCode::ConstraintViolation);
}

TEST_CASE("cel_attenuates: the §12.2 Cel→Cel rule") {
  struct Row { const char* parent; const char* child; bool want; };
  const Row rows[] = {
      {"amount < 1000", "amount < 1000", true},
      {"amount < 1000", "amount<1000", true},                        // whitespace only
      {"amount < 1000", " amount  <\t1000\n", true},
      {"amount < 1000", "(amount < 1000) && (currency == 'USD')", true},
      {"amount < 1000", "(amount<1000)&&(amount > 10)", true},
      {"amount < 1000", "(amount < 1000) && ((a || b) && c)", true},
      {"a && b", "(a && b) && (c)", true},
      {"x || y", "(x || y) && (z)", true},
      {"amount < 1000", "amount < 2000", false},
      {"amount < 1000", "(amount < 1000) || (true)", false},
      {"amount < 1000", "(amount < 1000) && true", false},           // not parenthesised
      {"amount < 1000", "(amount < 1000) && (a) && (b)", false},     // two groups
      {"amount < 1000", "(amount < 1000) && (a) || (b)", false},
      {"amount < 1000", "(amount < 1000) && ()", false},
      {"amount < 1000", "(amount < 1000) && (nope(", false},          // does not compile
      {"amount < 1000", "(amount < 1000) && (x.nope())", false},      // unknown function
      {"amount < 1000", "amount < 1000 && (c)", false},
      {"amount < 1000", "(amount < 100) && (c)", false},
      {"a", "(a)&&(b)", true},
      // Parentheses inside string literals fool a purely textual rule: the child parses as
      // ((a) && x == '(') || (y == ')'), which accepts y == ')' alone.
      {"a", "(a)&&(x=='(')||(y==')')", false},
      // Whitespace inside a string literal is not whitespace of the expression.
      {"name == 'a b'", "(name == 'ab') && (true)", false},
      {"name == 'a b'", "(name == 'a b') && (true)", true},
      {"name == 'a b'", "name == 'ab'", false},                       // stripped equal only
      {"name == 'a b'", "name=='a b'", true},
      {"a - -1", "a--1", true},
      {"1 2", "12", false},            // the parent never compiles, the child would
      {"x.y(", "x . y (", true},       // neither compiles: the child only denies
      {"", "", true},
      {"(", "(", true},  // identical text is accepted without compiling (as the reference)
  };
  for (const auto& r : rows) {
    CAPTURE(r.parent);
    CAPTURE(r.child);
    CHECK(tenuo::cel_attenuates(r.parent, r.child) == r.want);
  }
  // The accepted child never admits what the parent refuses.
  auto child = "(amount < 1000) && (currency == 'USD')";
  for (int amount : {0, 999, 1000, 5000}) {
    auto args = obj({{"amount", amount}, {"currency", "USD"}});
    auto p = tenuo::cel_matches("amount < 1000", args);
    auto c = tenuo::cel_matches(child, args);
    REQUIRE(p.has_value());
    REQUIRE(c.has_value());
    if (*c) CHECK(*p);
  }
}

TEST_CASE("programs are shareable and the cache is bounded and thread-safe") {
  auto p = CelProgram::compile("value * 2");
  REQUIRE(p.has_value());
  CelProgram copy = *p;
  CHECK(copy.source() == "value * 2");
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 300; ++k) {
        auto v = copy.evaluate(Value(k));
        if (!v || !(*v == Value(k * 2))) ++failures;
        auto expr = "value == " + std::to_string((k * 7 + t) % 400);  // > capacity distinct
        auto m = tenuo::cel_matches(expr, Value((k * 7 + t) % 400));
        if (!m || !*m) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures.load() == 0);
  CHECK(tenuo::cel_cache_size() <= tenuo::kCelCacheCapacity);
  CHECK(tenuo::cel_cache_size() > 0);
  // Compile failures are cached and keep failing.
  for (int k = 0; k < 2; ++k) {
    auto bad = tenuo::cel_compile_cached("1 +");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().code == ErrorCode::ConstraintViolation);
  }
}

}  // TEST_SUITE
