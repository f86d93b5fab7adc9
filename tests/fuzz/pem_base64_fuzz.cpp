// Fuzz target for the text decoders: base64 (strict and lenient), PEM, warrant input detection,
// and key parsing. Oracles: no crash; accepted base64 is canonical (re-encoding in the detected
// dialect gives the input back, whitespace aside); parsed PEM re-armours to the same blocks;
// parsed keys round-trip through their PEM forms; errors carry the documented codes.
#include <tenuo/encoding.hpp>
#include <tenuo/public_key.hpp>
#include <tenuo/signing_key.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void fuzz_base64(std::string_view text) {
  using tenuo::Base64Alphabet;
  using tenuo::Padding;
  if (auto r = tenuo::base64_decode_any(text, 1 << 20)) {
    std::string compact;
    for (char c : text)
      if (!is_space(c)) compact += c;
    const auto alphabet = compact.find_first_of("-_") != std::string::npos
                              ? Base64Alphabet::UrlSafe
                              : Base64Alphabet::Standard;
    const auto padding = compact.find('=') != std::string::npos ? Padding::Yes : Padding::No;
    const std::string again = tenuo::base64_encode(*r, alphabet, padding);
    // Unpadded input whose length is a multiple of 4 re-encodes identically either way.
    check(again == compact);
    auto back = tenuo::base64_decode(again, alphabet, padding);
    check(back.has_value() && *back == *r);
  } else {
    check(r.error().code == tenuo::ErrorCode::InvalidInput);
  }
  for (auto a : {Base64Alphabet::Standard, Base64Alphabet::UrlSafe})
    for (auto p : {Padding::Yes, Padding::No}) {
      auto r = tenuo::base64_decode(text, a, p);
      if (!r) {
        check(r.error().code == tenuo::ErrorCode::InvalidInput);
        continue;
      }
      check(tenuo::base64_encode(*r, a, p) == text);  // strict decoding accepts only canonical text
      auto lenient = tenuo::base64_decode_any(text, 1 << 20);
      check(lenient.has_value() && *lenient == *r);
    }
}

void fuzz_pem(std::string_view text) {
  auto blocks = tenuo::pem_parse(text);
  if (!blocks) {
    check(blocks.error().code == tenuo::ErrorCode::InvalidInput);
    return;
  }
  std::string armoured;
  for (const auto& b : *blocks) armoured += tenuo::pem_armor(b.label, b.body);
  auto again = tenuo::pem_parse(armoured);
  check(again.has_value() && again->size() == blocks->size());
  for (std::size_t i = 0; i < blocks->size(); ++i) {
    check((*again)[i].label == (*blocks)[i].label);
    check((*again)[i].body == (*blocks)[i].body);
  }
}

void fuzz_warrant_input(tenuo::ByteView in) {
  auto r = tenuo::warrant_cbor_from_any(in);
  if (r) {
    check(!r->empty() && r->size() <= tenuo::kMaxStackBytes);
  } else {
    check(r.error().code == tenuo::ErrorCode::InvalidInput ||
          r.error().code == tenuo::ErrorCode::WarrantTooLarge);
  }
}

void fuzz_keys(std::string_view text) {
  if (auto k = tenuo::SigningKey::parse(text)) {
    const auto pub = k->public_key();
    for (const auto& form : {k->to_pem(tenuo::SecretAccess{}), k->to_pem_v2(tenuo::SecretAccess{}),
                             k->seed_hex(tenuo::SecretAccess{}),
                             k->seed_base64(tenuo::SecretAccess{})}) {
      auto again = tenuo::SigningKey::parse(form);
      check(again.has_value() && again->public_key() == pub);
    }
  } else {
    check(k.error().code == tenuo::ErrorCode::InvalidInput);
  }
  if (auto p = tenuo::PublicKey::parse(text)) {
    for (const auto& form : {p->to_pem(), p->hex(), p->base64()}) {
      auto again = tenuo::PublicKey::parse(form);
      check(again.has_value() && *again == *p);
    }
  } else {
    check(p.error().code == tenuo::ErrorCode::InvalidInput);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const tenuo::ByteView in{data, size};
  const std::string_view text = tenuo::as_chars(in);
  fuzz_base64(text);
  fuzz_pem(text);
  fuzz_warrant_input(in);
  fuzz_keys(text);
  return 0;
}
