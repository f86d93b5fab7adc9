#include <tenuo/cbor.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/value.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

using tenuo::List;
using tenuo::Member;
using tenuo::Value;

namespace {

std::string enc(const Value& v) { return tenuo::hex_encode(tenuo::cbor::encode(tenuo::to_cbor(v))); }

tenuo::Result<Value> dec(std::string_view hex) {
  auto bytes = tenuo::hex_decode(hex);
  REQUIRE(bytes.has_value());
  auto c = tenuo::cbor::decode(*bytes);
  REQUIRE(c.has_value());
  return tenuo::value_from_cbor(*c);
}

}  // namespace

TEST_SUITE("tenuo::value") {
TEST_CASE("CBOR bytes of each variant (WIRE.md §5.3)") {
  struct Row {
    Value v;
    const char* hex;
  };
  const Row rows[] = {
      {Value{}, "f6"},
      {Value{true}, "f5"},
      {Value{false}, "f4"},
      {Value{0}, "00"},
      {Value{2}, "02"},
      {Value{23}, "17"},
      {Value{24}, "1818"},
      {Value{-1}, "20"},
      {Value{-25}, "3818"},
      {Value{std::numeric_limits<std::int64_t>::max()}, "1b7fffffffffffffff"},
      {Value{std::numeric_limits<std::int64_t>::min()}, "3b7fffffffffffffff"},
      {Value{2.0}, "f94000"},
      {Value{0.0}, "f90000"},
      {Value{-0.0}, "f98000"},
      {Value{0.5}, "f93800"},
      {Value{100.0}, "f95640"},
      {Value{10000.0}, "f970e2"},
      {Value{100000.0}, "fa47c35000"},
      {Value{0.1}, "fb3fb999999999999a"},
      {Value{"a"}, "6161"},
      {Value{""}, "60"},
      {Value{List{Value{1}, Value{"x"}, Value{}}}, "83016178f6"},
      {Value::object({Member{"b", Value{1}}, Member{"aa", Value{2}}}), "a2626161026162" "01"},
      {Value::object({}), "a0"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.hex);
    CHECK(enc(r.v) == r.hex);
    auto back = dec(r.hex);
    REQUIRE(back.has_value());
    CHECK(*back == r.v);
    CHECK(back->kind() == r.v.kind());
    CHECK(enc(*back) == r.hex);
  }
}

TEST_CASE("decode preference: 2.0 is a Float, 2 an Integer") {
  auto f = dec("f94000");
  auto i = dec("02");
  REQUIRE(f.has_value());
  REQUIRE(i.has_value());
  CHECK(f->is_float());
  CHECK(i->is_int());
  CHECK(*f != *i);
}

TEST_CASE("decode rejects what the encoder never emits") {
  for (const char* bad : {"4161",          // byte string value
                          "a10102",        // integer map key
                          "a2616202616101",  // keys out of byte order
                          "81a10102"}) {   // nested
    CAPTURE(bad);
    auto r = dec(bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == tenuo::ErrorCode::MalformedCbor);
  }
}

TEST_CASE("equality is structural and type-strict") {
  CHECK(Value{1} != Value{1.0});
  CHECK(Value{1} != Value{"1"});
  CHECK(Value{1.0} != Value{"1"});
  CHECK(Value{} != Value{false});
  CHECK(Value{0} != Value{false});
  CHECK(Value{1} == Value{std::int64_t{1}});
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(Value{nan} != Value{nan});
  CHECK(Value{List{Value{nan}}} != Value{List{Value{nan}}});
  CHECK(Value{List{Value{1}, Value{2}}} != Value{List{Value{2}, Value{1}}});
  CHECK(Value{List{Value{1}}} != Value{List{Value{1}, Value{1}}});
  CHECK(Value::object({Member{"a", Value{1}}}) != Value::object({Member{"a", Value{1.0}}}));
  CHECK(Value::object({Member{"a", Value{1}}}) != Value::object({Member{"b", Value{1}}}));
  CHECK(Value::object({Member{"a", Value{1}}, Member{"b", Value{2}}}) ==
        Value::object({Member{"b", Value{2}}, Member{"a", Value{1}}}));
}

TEST_CASE("objects keep byte-wise key order and the last duplicate") {
  auto o = Value::object({Member{"b", Value{1}}, Member{"B", Value{2}}, Member{"aa", Value{3}},
                          Member{"\xc3\xa9", Value{4}}, Member{"b", Value{5}}});
  REQUIRE(o.as_object().size() == 4);
  CHECK(o.as_object()[0].key == "B");
  CHECK(o.as_object()[1].key == "aa");
  CHECK(o.as_object()[2].key == "b");
  CHECK(o.as_object()[3].key == "\xc3\xa9");
  REQUIRE(o.find("b") != nullptr);
  CHECK(*o.find("b") == Value{5});
  CHECK(o.find("c") == nullptr);
  CHECK(Value{1}.find("a") == nullptr);
}

TEST_CASE("JSON text and display") {
  CHECK(tenuo::to_json_text(Value{2.0}) == "2.0");
  CHECK(tenuo::to_json_text(Value{2}) == "2");
  CHECK(tenuo::to_json_text(Value{0.1}) == "0.1");
  CHECK(tenuo::to_json_text(Value{"a\"b\n"}) == R"("a\"b\n")");
  CHECK(tenuo::to_json_text(Value::object({Member{"b", Value{}}, Member{"a", Value{List{}}}})) ==
        R"({"a":[],"b":null})");
  CHECK(tenuo::display(Value{"x"}) == R"("x")");
  CHECK(tenuo::display(Value{1.5}) == "1.5");
}
}
