#include <tenuo/arguments.hpp>
#include <tenuo/cbor.hpp>
#include <tenuo/encoding.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

using tenuo::ErrorCode;
using tenuo::Object;
using tenuo::Value;

namespace {

Object parse_ok(std::string_view text) {
  auto r = tenuo::parse_arguments(text);
  INFO("text: " << text);
  if (!r) INFO("error: " << r.error().message);
  REQUIRE(r.has_value());
  return *r;
}

ErrorCode parse_err(std::string_view text) {
  auto r = tenuo::parse_arguments(text);
  INFO("text: " << text);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().byte_offset.has_value());
  return r.error().code;
}

// The CBOR of the single argument "v" of `text`, as hex.
std::string value_hex(std::string_view text) {
  const Object o = parse_ok(text);
  REQUIRE(o.size() == 1);
  return tenuo::hex_encode(tenuo::cbor::encode(tenuo::to_cbor(o[0].value)));
}

std::string nest(std::size_t levels, std::string_view inner) {
  std::string s;
  for (std::size_t i = 0; i < levels; ++i) s += "{\"a\":";
  s += inner;
  for (std::size_t i = 0; i < levels; ++i) s += '}';
  return s;
}

}  // namespace

TEST_SUITE("tenuo::arguments") {

TEST_CASE("malformed documents are rejected with InvalidArguments") {
  const std::vector<std::string> bad = {
      "",
      "   ",
      "[]",
      "1",
      "\"s\"",
      "null",
      "true",
      "{",
      "}",
      "{\"a\"}",
      "{\"a\":}",
      "{\"a\":1,}",
      "{,\"a\":1}",
      "{\"a\":1 \"b\":2}",
      "{a:1}",
      "{'a':1}",
      "{\"a\":1} []",
      "{\"a\":1}{}",
      "{\"a\":1}x",
      "{\"a\":NaN}",
      "{\"a\":Infinity}",
      "{\"a\":-Infinity}",
      "{\"a\":nan}",
      "{\"a\":01}",
      "{\"a\":-01}",
      "{\"a\":1.}",
      "{\"a\":.5}",
      "{\"a\":+1}",
      "{\"a\":1e}",
      "{\"a\":1e+}",
      "{\"a\":-}",
      "{\"a\":0x10}",
      "{\"a\":1e999}",
      "{\"a\":-1e999}",
      "{\"a\":9223372036854775808}",
      "{\"a\":18446744073709551615}",
      "{\"a\":18446744073709551616}",
      "{\"a\":-9223372036854775809}",
      "{\"a\":tru}",
      "{\"a\":nul}",
      "{\"a\":True}",
      "{\"a\":[1,2}",
      "{\"a\":[1,]}",
      "{\"a\":[,1]}",
      "{\"a\":\"unterminated}",
      "{\"a\":\"tab\there\"}",
      "{\"a\":\"nl\nhere\"}",
      "{\"a\":\"\\x41\"}",
      "{\"a\":\"\\u12\"}",
      "{\"a\":\"\\u12g4\"}",
      "{\"a\":\"\\ud800\"}",
      "{\"a\":\"\\udc00\"}",
      "{\"a\":\"\\ud800\\u0041\"}",
      "{\"a\":\"\xff\"}",
      "{\"a\":\"\xc0\xaf\"}",
      "{\"a\":\"\xed\xa0\x80\"}",
      "{\"a\":\"\xf4\x90\x80\x80\"}",
      "{\"a\":\"\xe2\x82\"}",
      "{\"a\":1,\"a\":2}",
      "{\"b\":1,\"\\u0062\":2}",
      "{\"x\":{\"k\":1,\"k\":1}}",
      "{\"x\":[{\"k\":1,\"k\":2}]}",
      "\xef\xbb\xbf{}",
      std::string("{\"a\":1}\x00", 8),
      "/*c*/{}",
      "{\"a\":1 // c\n}",
  };
  CHECK(bad.size() >= 40);
  for (const auto& text : bad) CHECK(parse_err(text) == ErrorCode::InvalidArguments);
}

TEST_CASE("accepted forms and whitespace") {
  CHECK(parse_ok("{}").empty());
  CHECK(parse_ok(" \t\r\n{ } \n").empty());
  const Object o = parse_ok(R"({"s":"x","t":true,"f":false,"n":null,"l":[1,"a",null,[]],"o":{}})");
  REQUIRE(o.size() == 6);
  // Members come back sorted by key bytes.
  CHECK(o[0].key == "f");
  CHECK(o[1].key == "l");
  CHECK(o[2].key == "n");
  CHECK(o[2].value.is_null());
  CHECK(o[3].key == "o");
  CHECK(o[3].value.is_object());
  CHECK(o[5].key == "t");
  CHECK(o[1].value.as_list()[2].is_null());
}

TEST_CASE("keys are sorted by raw bytes, not by length") {
  const Object o = parse_ok(R"({"b":1,"aa":2,"é":3,"Z":4})");
  REQUIRE(o.size() == 4);
  CHECK(o[0].key == "Z");
  CHECK(o[1].key == "aa");
  CHECK(o[2].key == "b");
  CHECK(o[3].key == "\xc3\xa9");
}

TEST_CASE("duplicate names are found after unescaping, at any depth") {
  auto r = tenuo::parse_arguments(R"({"b":1,"\u0062":2})");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::InvalidArguments);
  CHECK(r.error().byte_offset == 7u);  // the second (later) name
  CHECK_FALSE(tenuo::parse_arguments(R"({"a":[{"x":1},{"y":{"z":1,"z":1}}]})"));
  // The same name in sibling objects is fine.
  CHECK(tenuo::parse_arguments(R"({"a":{"x":1},"b":{"x":1}})"));
}

TEST_CASE("string escapes decode to UTF-8") {
  const Object o = parse_ok(R"({"v":"\"\\\/\b\f\n\r\t\u0000\u00e9\ud83d\ude00"})");
  CHECK(o[0].value.as_string() == std::string("\"\\/\b\f\n\r\t\0\xc3\xa9\xf0\x9f\x98\x80", 15));
  const Object raw = parse_ok("{\"v\":\"\xe2\x82\xac\xf0\x9f\x98\x80\x7f\"}");
  CHECK(raw[0].value.as_string() == "\xe2\x82\xac\xf0\x9f\x98\x80\x7f");
}

TEST_CASE("numbers follow the 0.3.2 conversion") {
  CHECK(value_hex(R"({"v":3})") == "03");
  CHECK(value_hex(R"({"v":-1})") == "20");
  CHECK(value_hex(R"({"v":1.0})") == "01");
  CHECK(value_hex(R"({"v":1e2})") == "1864");
  CHECK(value_hex(R"({"v":1E2})") == "1864");
  CHECK(value_hex(R"({"v":-0.0})") == "00");
  CHECK(value_hex(R"({"v":-0})") == "00");
  CHECK(value_hex(R"({"v":1.5})") == "f93e00");
  CHECK(value_hex(R"({"v":2.5})") == "f94100");
  CHECK(value_hex(R"({"v":0.1})") == "fb3fb999999999999a");
  CHECK(value_hex(R"({"v":1e19})") == "fb43e158e460913d00");
  CHECK(value_hex(R"({"v":9000000000})") == "1b0000000218711a00");
  CHECK(value_hex(R"({"v":9223372036854775807})") == "1b7fffffffffffffff");
  CHECK(value_hex(R"({"v":-9223372036854775808})") == "3b7fffffffffffffff");
  // 2^63 written with a fraction is a Float; -2^63 is an Int.
  CHECK(value_hex(R"({"v":9223372036854775808.0})") == "fa5f000000");
  CHECK(value_hex(R"({"v":-9223372036854775808.0})") == "3b7fffffffffffffff");
  // Underflow rounds to zero, which is integral.
  CHECK(value_hex(R"({"v":1e-400})") == "00");
  CHECK(value_hex(R"({"v":-1e-400})") == "00");
  CHECK(value_hex(R"({"v":0e999999})") == "00");
  CHECK(value_hex(R"({"v":5e-324})") == "fb0000000000000001");
  CHECK(value_hex(R"({"v":1.7976931348623157e308})") == "fb7fefffffffffffff");
  CHECK_FALSE(tenuo::parse_arguments(R"({"v":1.7976931348623159e308})"));
  const Object big = parse_ok(R"({"v":100000000000000000000000e-1})");
  CHECK(big[0].value.is_float());
  CHECK(big[0].value.as_float() == 1e22);
}

TEST_CASE("legacy view keeps written floats and drops top-level nulls") {
  auto r = tenuo::parse_arguments_legacy(R"({"a":1.0,"b":null,"c":[null],"d":2,"e":9223372036854775808})");
  REQUIRE(r);
  REQUIRE(r->size() == 4);
  CHECK((*r)[0].key == "a");
  CHECK((*r)[0].value.is_float());
  CHECK((*r)[1].key == "c");
  CHECK((*r)[1].value.as_list()[0].is_null());
  CHECK((*r)[2].value.is_int());
  CHECK((*r)[3].value.is_float());
  CHECK(tenuo::hex_encode(tenuo::cbor::encode(tenuo::to_cbor((*r)[0].value))) == "f93c00");
}

TEST_CASE("nesting depth: the top-level object is depth 0, values deeper than 9 fail") {
  // nest(9, "1"): nine objects, the innermost at depth 8, the scalar at depth 9 -> accepted.
  CHECK(tenuo::parse_arguments(nest(9, "1")));
  CHECK(tenuo::parse_arguments(nest(9, "{}")));
  CHECK(tenuo::parse_arguments(nest(9, "[]")));
  // A value at depth 10 -> rejected (the stricter reading of the off-by-one).
  CHECK(parse_err(nest(10, "1")) == ErrorCode::InvalidArguments);
  CHECK(parse_err(nest(10, "{}")) == ErrorCode::InvalidArguments);
  CHECK(parse_err(nest(9, "[1]")) == ErrorCode::InvalidArguments);
  CHECK(parse_err(nest(200, "1")) == ErrorCode::InvalidArguments);
  CHECK(parse_err(std::string("{\"a\":") + std::string(100000, '[')) == ErrorCode::InvalidArguments);
}

TEST_CASE("value, entry and string budgets") {
  // 256 members pass, 257 fail.
  auto members = [](std::size_t n) {
    std::string s = "{";
    for (std::size_t i = 0; i < n; ++i) s += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
    return s + "}";
  };
  CHECK(tenuo::parse_arguments(members(256)));
  CHECK(parse_err(members(257)) == ErrorCode::InvalidArguments);
  auto array = [](std::size_t n) {
    std::string s = "{\"a\":[";
    for (std::size_t i = 0; i < n; ++i) s += i ? ",0" : "0";
    return s + "]}";
  };
  CHECK(tenuo::parse_arguments(array(256)));
  CHECK(parse_err(array(257)) == ErrorCode::InvalidArguments);
  // Values: top object (1) + 15 arrays (15) + 15*255 scalars = 3841; make it exceed 4096.
  auto many = [](std::size_t arrays, std::size_t per) {
    std::string s = "{";
    for (std::size_t a = 0; a < arrays; ++a) {
      s += (a ? ",\"a" : "\"a") + std::to_string(a) + "\":[";
      for (std::size_t i = 0; i < per; ++i) s += i ? ",0" : "0";
      s += "]";
    }
    return s + "}";
  };
  // 1 + 16 + 16*255 = 4097 values -> one too many; 1 + 16 + 16*254 + 15 = ...
  CHECK(parse_err(many(16, 255)) == ErrorCode::InvalidArguments);
  CHECK(tenuo::parse_arguments(many(16, 254)));  // 1 + 16 + 4064 = 4081
  // Exactly 4096 values: 1 + 16 arrays + 4079 scalars (15 full of 255 + one of 254).
  {
    std::string s = "{";
    for (std::size_t a = 0; a < 16; ++a) {
      s += (a ? ",\"a" : "\"a") + std::to_string(a) + "\":[";
      const std::size_t per = a < 15 ? 255 : 254;
      for (std::size_t i = 0; i < per; ++i) s += i ? ",0" : "0";
      s += "]";
    }
    s += "}";
    CHECK(tenuo::parse_arguments(s));
  }
  // Strings: 65536 decoded bytes pass, 65537 fail; escapes count decoded bytes.
  const std::string k64(65536 - 1, 'x');  // plus the key "v" = 65536 total
  CHECK(tenuo::parse_arguments("{\"v\":\"" + k64 + "\"}"));
  CHECK(parse_err("{\"v\":\"" + k64 + "y\"}") == ErrorCode::InvalidArguments);
  CHECK(parse_err("{\"" + std::string(65537, 'k') + "\":1}") == ErrorCode::InvalidArguments);
  CHECK(parse_err("{\"a\":\"" + std::string(40000, 'x') + "\",\"b\":\"" + std::string(40000, 'x') +
                  "\"}") == ErrorCode::InvalidArguments);
  // Text over 256 KiB fails before parsing (offset 0), even though it is whitespace.
  const std::string big = "{}" + std::string(256 * 1024, ' ');
  auto r = tenuo::parse_arguments(big);
  REQUIRE_FALSE(r);
  CHECK(r.error().byte_offset == 0u);
  CHECK(tenuo::parse_arguments("{}" + std::string(256 * 1024 - 2, ' ')));
}

TEST_CASE("custom limits apply") {
  tenuo::ArgumentLimits lim;
  lim.max_depth = 1;
  CHECK(tenuo::parse_arguments(R"({"a":[]})", lim));
  CHECK_FALSE(tenuo::parse_arguments(R"({"a":[1]})", lim));
}

TEST_CASE("canonical_json round-trips") {
  const char* docs[] = {
      R"({"z":[1,2.5,"x",null,{"q":true}],"a":{"c":0.1,"b":-7},"é":"\u0001\u007f\"\\"})",
      R"({"big":1e19,"small":-1.5e-7,"s":"\ud83d\ude00"})",
      "{}",
  };
  for (const char* d : docs) {
    const Object o = parse_ok(d);
    const std::string c = tenuo::canonical_json(o);
    const Object again = parse_ok(c);
    CHECK(Value::object(o) == Value::object(again));
    CHECK(tenuo::canonical_json(again) == c);
  }
  CHECK(tenuo::canonical_json(parse_ok(R"({"b":1.0,"a":[true]})")) == R"({"a":[true],"b":1})");
}

TEST_CASE("without_nulls drops only top-level nulls") {
  const Object o = parse_ok(R"({"a":null,"b":[null],"c":{"d":null}})");
  const Object w = tenuo::without_nulls(o);
  REQUIRE(w.size() == 2);
  CHECK(w[0].key == "b");
  CHECK(w[1].key == "c");
  CHECK(w[1].value.find("d") != nullptr);
}

}  // TEST_SUITE
