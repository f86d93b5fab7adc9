#include <tenuo/cbor.hpp>
#include <tenuo/encoding.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using tenuo::Base64Alphabet;
using tenuo::ErrorCode;
using tenuo::Padding;

namespace {

tenuo::Bytes bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

template <class T>
ErrorCode code_of(const tenuo::Result<T>& r) {
  REQUIRE_FALSE(r.has_value());
  return r.error().code;
}

}  // namespace

TEST_SUITE("tenuo::encoding") {
TEST_CASE("hex round trip and rejects") {
  CHECK(tenuo::hex_encode(bytes_of("\x01\xab\xff")) == "01abff");
  CHECK(tenuo::hex_decode("01ABff").value() == bytes_of("\x01\xab\xff"));
  CHECK(code_of(tenuo::hex_decode("abc")) == ErrorCode::InvalidInput);
  CHECK(code_of(tenuo::hex_decode("0g")) == ErrorCode::InvalidInput);
  CHECK(code_of(tenuo::hex_decode("0 1")) == ErrorCode::InvalidInput);
}

TEST_CASE("base64 encode: RFC 4648 vectors in all four dialects") {
  struct Row { const char* in; const char* std_pad; };
  const Row rows[] = {{"", ""},          {"f", "Zg=="},         {"fo", "Zm8="},
                      {"foo", "Zm9v"},   {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
                      {"foobar", "Zm9vYmFy"}};
  for (const auto& r : rows) {
    CAPTURE(std::string_view(r.in));
    const auto in = bytes_of(r.in);
    CHECK(tenuo::base64_encode(in, Base64Alphabet::Standard, Padding::Yes) == r.std_pad);
    std::string nopad = r.std_pad;
    while (!nopad.empty() && nopad.back() == '=') nopad.pop_back();
    CHECK(tenuo::base64_encode(in, Base64Alphabet::Standard, Padding::No) == nopad);
    CHECK(tenuo::base64_decode(r.std_pad, Base64Alphabet::Standard, Padding::Yes).value() == in);
    CHECK(tenuo::base64_decode(nopad, Base64Alphabet::UrlSafe, Padding::No).value() == in);
    CHECK(tenuo::base64_decode_any(r.std_pad).value() == in);
    CHECK(tenuo::base64_decode_any(nopad).value() == in);
  }
  const auto hi = bytes_of("\xfb\xff\xbf");
  CHECK(tenuo::base64_encode(hi, Base64Alphabet::Standard, Padding::Yes) == "+/+/");
  CHECK(tenuo::base64_encode(hi, Base64Alphabet::UrlSafe, Padding::No) == "-_-_");
}

TEST_CASE("base64 strict decode table") {
  struct Row { const char* text; Base64Alphabet alpha; Padding pad; bool ok; };
  const auto S = Base64Alphabet::Standard;
  const auto U = Base64Alphabet::UrlSafe;
  const auto Y = Padding::Yes;
  const auto N = Padding::No;
  const Row rows[] = {
      {"Zg==", S, Y, true},   {"Zg", S, Y, false},     {"Zg=", S, Y, false},
      {"Zg===", S, Y, false}, {"Zg==", S, N, false},   {"Zg", S, N, true},
      {"Zg", U, N, true},     {"Zm8=", U, Y, true},    {"Zm8", U, Y, false},
      {"+/+/", S, Y, true},   {"+/+/", U, N, false},   {"-_-_", U, N, true},
      {"-_-_", S, Y, false},  {"Zm 9v", S, Y, false},  {"Zm9v\n", S, Y, false},
      {"Z", S, N, false},     {"Zm9vY", S, N, false},  {"Z===", S, Y, false},
      {"Zh==", S, Y, false},  // trailing bits 0b0001 set
      {"Zm9=", S, Y, false},  // trailing bits 0b01 set
      {"Zh", U, N, false},    {"Zm9", U, N, false},    {"Zm8", U, N, true},
      {"Z=g=", S, Y, false},  {"=Zg=", S, Y, false},   {"", S, Y, true},
      {"", U, N, true},       {"====", S, Y, false},   {"Zg\x80=", S, Y, false},
  };
  for (const auto& r : rows) {
    CAPTURE(std::string_view(r.text));
    const auto got = tenuo::base64_decode(r.text, r.alpha, r.pad);
    CHECK(got.has_value() == r.ok);
    if (!r.ok) CHECK(code_of(got) == ErrorCode::InvalidInput);
  }
}

TEST_CASE("base64 lenient decode table") {
  struct Row { const char* text; const char* expect; };  // expect nullptr = rejected
  const Row rows[] = {
      {"Zm9vYmFy", "foobar"},
      {"Zm9v\nYmFy\n", "foobar"},
      {"  Zm9v\r\n\tYmE=\r\n", "fooba"},
      {"Zm9vYmE", "fooba"},
      {"Zm9vYg", "foob"},
      {"Zm9vYg==", "foob"},
      {"Zm9v Yg = =", "foob"},
      {"-_-_", "\xfb\xff\xbf"},
      {"+/+/", "\xfb\xff\xbf"},
      {"+_", nullptr},        // mixed alphabets
      {"-/+/", nullptr},      // mixed alphabets
      {"Zm9vYg=", nullptr},   // wrong amount of padding
      {"Zm9vYg===", nullptr}, // too much padding
      {"Zm9vY", nullptr},     // impossible length
      {"Zh", nullptr},        // non-zero trailing bits
      {"Zh==", nullptr},
      {"Zm9=", nullptr},
      {"Zg=x", nullptr},      // padding in the middle
      {"Z=g=", nullptr},
      {"Zg==Zg==", nullptr},  // concatenated padded blocks
      {"Zm9v.YmFy", nullptr},
      {"", ""},
      {"  \n ", ""},
  };
  for (const auto& r : rows) {
    CAPTURE(std::string_view(r.text));
    const auto got = tenuo::base64_decode_any(r.text);
    if (r.expect == nullptr) {
      CHECK(code_of(got) == ErrorCode::InvalidInput);
    } else {
      REQUIRE(got.has_value());
      CHECK(got.value() == bytes_of(r.expect));
    }
  }
  // An embedded NUL (the table above stops at it).
  CHECK(code_of(tenuo::base64_decode_any(std::string_view("Zm9v\0YmFy", 9))) ==
        ErrorCode::InvalidInput);
}

TEST_CASE("base64 lenient decode: size cap checked before decoding") {
  CHECK(tenuo::base64_decode_any("Zm9vYmFy", 6).value() == bytes_of("foobar"));
  CHECK(code_of(tenuo::base64_decode_any("Zm9vYmFy", 5)) == ErrorCode::InvalidInput);
  CHECK(tenuo::base64_decode_any("Zm9vYg==", 4).value() == bytes_of("foob"));  // '=' not counted
  CHECK(code_of(tenuo::base64_decode_any("Zm9vYg==", 3)) == ErrorCode::InvalidInput);
  CHECK(tenuo::base64_decode_any("Zm9v\n\n\n\n\n\n\n\n", 3).value() == bytes_of("foo"));
}

TEST_CASE("base64 round trip over all byte values and lengths") {
  tenuo::Bytes data;
  for (int i = 0; i < 300; ++i) data.push_back(static_cast<std::uint8_t>(i * 7 + 3));
  for (std::size_t n = 0; n < data.size(); n += 13) {
    const tenuo::ByteView v(data.data(), n);
    for (auto a : {Base64Alphabet::Standard, Base64Alphabet::UrlSafe})
      for (auto p : {Padding::Yes, Padding::No}) {
        const auto text = tenuo::base64_encode(v, a, p);
        CHECK(tenuo::base64_decode(text, a, p).value() == tenuo::Bytes(v.begin(), v.end()));
        CHECK(tenuo::base64_decode_any(text).value() == tenuo::Bytes(v.begin(), v.end()));
      }
  }
}
}
