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

// A.1 envelope (WIRE.md §19.5) and its text forms (§19.6).
constexpr std::string_view kA1EnvelopeHex =
    "83015893aa00010150019471f8000070008000000000000001020003a1697265"
    "61645f66696c65a16b636f6e73747261696e7473a164706174688210f6048201"
    "58208139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9"
    "b39405820158208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3"
    "748801b40f6f5c061a65920080071a65920e9008031200820158404396783e89"
    "f37eebfa7d25ad7d61d6cddfbb6c58eade0e9ccc6e28759f1eb56b3c03873a62"
    "32483d05f766481edf9f85560881aed03b6ef25771285409e6d800";
constexpr std::string_view kA1UrlB64 =
    "gwFYk6oAAQFQAZRx-AAAcACAAAAAAAAAAQIAA6FpcmVhZF9maWxloWtjb25zdHJhaW50c6FkcGF0aIIQ9gSCAVgggTl3"
    "Dqh9F19Wo1Rmw0x-zMuNipG07jeiXfYPW4_Js5QFggFYIIqI4910CfGV_VLbLTy6XXLKZwm_HZQSG_N0iAG0D29cBhpl"
    "kgCABxplkg6QCAMSAIIBWEBDlng-ifN-6_p9Ja19YdbN37tsWOreDpzMbih1nx61azwDhzpiMkg9BfdmSB7fn4VWCIGu"
    "0Dtu8ldxKFQJ5tgA";
constexpr std::string_view kA1StdB64 =
    "gwFYk6oAAQFQAZRx+AAAcACAAAAAAAAAAQIAA6FpcmVhZF9maWxloWtjb25zdHJhaW50c6FkcGF0aIIQ9gSCAVgggTl3"
    "Dqh9F19Wo1Rmw0x+zMuNipG07jeiXfYPW4/Js5QFggFYIIqI4910CfGV/VLbLTy6XXLKZwm/HZQSG/N0iAG0D29cBhpl"
    "kgCABxplkg6QCAMSAIIBWEBDlng+ifN+6/p9Ja19YdbN37tsWOreDpzMbih1nx61azwDhzpiMkg9BfdmSB7fn4VWCIGu"
    "0Dtu8ldxKFQJ5tgA";
constexpr std::string_view kA1Pem =
    "-----BEGIN TENUO WARRANT-----\n"
    "gwFYk6oAAQFQAZRx-AAAcACAAAAAAAAAAQIAA6FpcmVhZF9maWxloWtjb25zdHJh\n"
    "aW50c6FkcGF0aIIQ9gSCAVgggTl3Dqh9F19Wo1Rmw0x-zMuNipG07jeiXfYPW4_J\n"
    "s5QFggFYIIqI4910CfGV_VLbLTy6XXLKZwm_HZQSG_N0iAG0D29cBhplkgCABxpl\n"
    "kg6QCAMSAIIBWEBDlng-ifN-6_p9Ja19YdbN37tsWOreDpzMbih1nx61azwDhzpi\n"
    "Mkg9BfdmSB7fn4VWCIGu0Dtu8ldxKFQJ5tgA\n"
    "-----END TENUO WARRANT-----\n";

tenuo::Bytes a1_envelope() { return tenuo::hex_decode(kA1EnvelopeHex).value(); }

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

TEST_CASE("PEM: parse blocks, ignore surrounding text, CRLF, armour round trip") {
  const std::string text =
      "leading text\r\n-----BEGIN PUBLIC KEY-----\r\nMCowBQYDK2VwAyEAiojj3XQJ8ZX9UtstPLpdcspnCb8d\r\n"
      "lBIb83SIAbQPb1w=\r\n-----END PUBLIC KEY-----\r\nmiddle\n"
      "  -----BEGIN TENUO WARRANT-----  \n a b \n-----END TENUO WARRANT-----\ntrailer";
  const auto blocks = tenuo::pem_parse(text).value();
  REQUIRE(blocks.size() == 2);
  CHECK(blocks[0].label == "PUBLIC KEY");
  CHECK(blocks[0].body == "MCowBQYDK2VwAyEAiojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=");
  CHECK(blocks[1].label == "TENUO WARRANT");
  CHECK(blocks[1].body == "ab");
  CHECK(tenuo::pem_parse("no armour at all").value().empty());
  CHECK(tenuo::pem_parse("").value().empty());

  CHECK(tenuo::pem_armor("TENUO WARRANT", kA1UrlB64) == kA1Pem);
  CHECK(tenuo::pem_armor("X", "") == "-----BEGIN X-----\n-----END X-----\n");
  const std::string body64(64, 'A');
  CHECK(tenuo::pem_armor("X", body64) == "-----BEGIN X-----\n" + body64 + "\n-----END X-----\n");
  const auto back = tenuo::pem_parse(kA1Pem).value();
  REQUIRE(back.size() == 1);
  CHECK(back[0].body == kA1UrlB64);
}

TEST_CASE("PEM: malformed armour is rejected") {
  const char* bad[] = {
      "-----BEGIN X-----\nAAAA\n",                                      // unterminated
      "-----BEGIN X-----\nAAAA\n-----END Y-----\n",                     // mismatched END
      "-----BEGIN X-----\n-----BEGIN X-----\n-----END X-----\n",        // nested BEGIN
      "-----END X-----\n",                                                // END without BEGIN
      "-----BEGIN X----\nAAAA\n-----END X-----\n",                      // short dashes
      "-----BEGIN -----\n-----END -----\n",                              // empty label
      "-----BEGIN X-----\n-----END X-----\n-----BEGIN Y-----\nAA\n",    // second unterminated
  };
  for (const char* t : bad) {
    CAPTURE(std::string_view(t));
    CHECK(code_of(tenuo::pem_parse(t)) == ErrorCode::InvalidInput);
  }
}

TEST_CASE("warrant_cbor_from_any: every A.1 text form gives the same envelope bytes") {
  const auto env = a1_envelope();
  REQUIRE(env.size() == 219);
  std::vector<std::string> forms{std::string(kA1UrlB64), std::string(kA1StdB64),
                                 std::string(kA1Pem)};
  forms.push_back(std::string(kA1UrlB64) + "\n");
  forms.push_back("\xEF\xBB\xBF" + std::string(kA1Pem));  // byte order mark
  forms.push_back("some comment\n" + std::string(kA1Pem) + "more text\n");
  std::string wrapped;
  for (std::size_t i = 0; i < kA1StdB64.size(); i += 76) {
    wrapped += kA1StdB64.substr(i, 76);
    wrapped += "\r\n";
  }
  forms.push_back(wrapped);
  std::string crlf_pem;
  for (char c : kA1Pem) {
    if (c == '\n') crlf_pem += '\r';
    crlf_pem += c;
  }
  forms.push_back(crlf_pem);
  std::string magic(tenuo::kTenuoMagic);
  magic.append(tenuo::as_chars(env));
  forms.push_back(magic);
  forms.emplace_back(tenuo::as_chars(env));  // raw CBOR
  for (const auto& f : forms) {
    CAPTURE(f.substr(0, 40));
    const auto got = tenuo::warrant_cbor_from_any(tenuo::as_bytes(f));
    REQUIRE(got.has_value());
    CHECK(got.value() == env);
  }
}

TEST_CASE("warrant_cbor_from_any: several TENUO WARRANT blocks become one WarrantStack") {
  const auto env = a1_envelope();
  const std::string two = std::string(kA1Pem) + std::string(kA1Pem);
  const auto got = tenuo::warrant_cbor_from_any(tenuo::as_bytes(two)).value();
  tenuo::Bytes expect{0x82};
  expect.insert(expect.end(), env.begin(), env.end());
  expect.insert(expect.end(), env.begin(), env.end());
  CHECK(got == expect);

  std::string many;
  for (int i = 0; i < 24; ++i) many += kA1Pem;
  const auto stack = tenuo::warrant_cbor_from_any(tenuo::as_bytes(many)).value();
  REQUIRE(stack.size() == 2 + 24 * env.size());
  CHECK(stack[0] == 0x98);  // array, 1-byte count
  CHECK(stack[1] == 24);
  CHECK(std::equal(env.begin(), env.end(), stack.begin() + 2));

  // A CHAIN block's body is the stack itself.
  const auto chain_body =
      tenuo::base64_encode(expect, tenuo::Base64Alphabet::UrlSafe, tenuo::Padding::No);
  const std::string chain = tenuo::pem_armor("TENUO WARRANT CHAIN", chain_body);
  CHECK(tenuo::warrant_cbor_from_any(tenuo::as_bytes(chain)).value() == expect);
  // Other armour next to warrant blocks is ignored.
  const std::string with_key =
      "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAiojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=\n"
      "-----END PUBLIC KEY-----\n" + std::string(kA1Pem);
  CHECK(tenuo::warrant_cbor_from_any(tenuo::as_bytes(with_key)).value() == env);
}

TEST_CASE("warrant_cbor_from_any: unreadable input is InvalidInput") {
  const std::string chain = tenuo::pem_armor("TENUO WARRANT CHAIN", kA1UrlB64);
  const char* bad[] = {
      "",
      " \n\t ",
      "not base64 at all!",
      "gwFYk6oAAQFQ+AAA-AAA",             // mixed alphabets
      "Zh",                                // trailing bits
      "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",  // no warrant block
      "-----BEGIN TENUO WARRANT-----\nAAAA\n",                         // unterminated
      "-----BEGIN TENUO WARRANT-----\n-----END TENUO WARRANT-----\n",   // empty block
      "-----BEGIN TENUO WARRANT-----\n!!\n-----END TENUO WARRANT-----\n",
  };
  for (const char* t : bad) {
    CAPTURE(std::string_view(t));
    CHECK(code_of(tenuo::warrant_cbor_from_any(tenuo::as_bytes(t))) == ErrorCode::InvalidInput);
  }
  // A chain block mixed with warrant blocks, or two chain blocks: ambiguous, refused.
  CHECK(code_of(tenuo::warrant_cbor_from_any(tenuo::as_bytes(chain + std::string(kA1Pem)))) ==
        ErrorCode::InvalidInput);
  CHECK(code_of(tenuo::warrant_cbor_from_any(tenuo::as_bytes(chain + chain))) ==
        ErrorCode::InvalidInput);
  // Magic with nothing after it; binary that is not an array head and not text.
  CHECK(code_of(tenuo::warrant_cbor_from_any(tenuo::as_bytes(tenuo::kTenuoMagic))) ==
        ErrorCode::InvalidInput);
  const std::uint8_t binary[] = {0xa1, 0x00, 0xff, 0x10};
  CHECK(code_of(tenuo::warrant_cbor_from_any(binary)) == ErrorCode::InvalidInput);
}

TEST_CASE("warrant_cbor_from_any: size caps give WarrantTooLarge before decoding") {
  using tenuo::kMaxStackBytes;
  // Raw CBOR / magic just over the cap.
  tenuo::Bytes raw(kMaxStackBytes + 1, 0x00);
  raw[0] = 0x83;
  CHECK(code_of(tenuo::warrant_cbor_from_any(raw)) == ErrorCode::WarrantTooLarge);
  raw.resize(kMaxStackBytes);
  CHECK(tenuo::warrant_cbor_from_any(raw).value().size() == kMaxStackBytes);
  tenuo::Bytes magic(tenuo::kTenuoMagic.begin(), tenuo::kTenuoMagic.end());
  magic.resize(tenuo::kTenuoMagic.size() + kMaxStackBytes + 1, 0x83);
  CHECK(code_of(tenuo::warrant_cbor_from_any(magic)) == ErrorCode::WarrantTooLarge);
  // Base64 text decoding to one byte more than the cap (even if it is also garbage later on).
  const std::string big((kMaxStackBytes + 3) / 3 * 4, 'A');
  CHECK(code_of(tenuo::warrant_cbor_from_any(tenuo::as_bytes(big))) == ErrorCode::WarrantTooLarge);
  const std::string fits(kMaxStackBytes / 3 * 4, 'g');
  CHECK(tenuo::warrant_cbor_from_any(tenuo::as_bytes(fits)).has_value());
  const std::string big_pem = tenuo::pem_armor("TENUO WARRANT", big);
  CHECK(code_of(tenuo::warrant_cbor_from_any(tenuo::as_bytes(big_pem))) ==
        ErrorCode::WarrantTooLarge);
  // Blocks that fit one by one but not together.
  const std::string half(kMaxStackBytes / 2 / 3 * 4 + 4, 'g');
  const std::string pair = tenuo::pem_armor("TENUO WARRANT", half) +
                           tenuo::pem_armor("TENUO WARRANT", half);
  CHECK(code_of(tenuo::warrant_cbor_from_any(tenuo::as_bytes(pair))) == ErrorCode::WarrantTooLarge);
}
}
