#pragma once
// Shared fixtures of the warrant, verify and builder tests: deterministic keys, the A.1 vector
// (tests/vectors/a1/), and signers that wrap ANY payload bytes in a correctly signed envelope, so
// the tests can hand-build payloads that break an invariant or a limit on purpose.

#include <tenuo/cbor.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/signing_key.hpp>
#include <tenuo/warrant.hpp>

#include "detail/crypto.hpp"
#include "detail/warrant_factory.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace tenuo::test {

inline constexpr std::uint64_t kT0 = 1704067200;  // 2024-01-01T00:00:00Z (A.1 issued_at)

inline Bytes unhex(std::string_view hex) {
  std::string clean;
  for (char ch : hex)
    if (std::isxdigit(static_cast<unsigned char>(ch)) != 0) clean += ch;
  auto b = hex_decode(clean);
  REQUIRE(b.has_value());
  return *b;
}

inline std::string vector_text(std::string_view name) {
  std::ifstream in(std::string(TENUO_VECTORS_DIR) + "/" + std::string(name), std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "missing test vector ", name);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// Ed25519 key from the seed `fill` × 32 (01 = A.1 control plane, 02 = A.1 orchestrator).
inline SigningKey key_of(std::uint8_t fill) {
  std::array<std::uint8_t, 32> seed{};
  seed.fill(fill);
  auto k = SigningKey::from_seed(seed);
  REQUIRE(k.has_value());
  return std::move(*k);
}

inline WarrantId id_of(std::uint32_t n) {
  WarrantId id{0x01, 0x94, 0x71, 0xf8, 0x00, 0x00, 0x70, 0x00, 0x80};
  id[12] = static_cast<std::uint8_t>(n >> 24);
  id[13] = static_cast<std::uint8_t>(n >> 16);
  id[14] = static_cast<std::uint8_t>(n >> 8);
  id[15] = static_cast<std::uint8_t>(n);
  return id;
}

inline ConstraintSet set_of(std::string arg, Constraint c) {
  ConstraintSet s;
  s.set(std::move(arg), std::move(c));
  return s;
}

// The A.1 payload fields (WIRE.md §19.2).
inline Payload a1_payload() {
  Payload p(key_of(2).public_key(), key_of(1).public_key());
  p.id = id_of(1);
  p.type = WarrantType::Execution;
  p.tools.emplace_back("read_file", set_of("path", c::Wildcard{}));
  p.issued_at = kT0;
  p.expires_at = kT0 + 3600;
  p.max_depth = 3;
  p.depth = 0;
  return p;
}

// SignedWarrant bytes around arbitrary `payload` bytes, signed by `key` over
// "tenuo-warrant-v1" || 01 || payload — nothing about the payload is checked.
inline Bytes envelope_for(ByteView payload, const SigningKey& key) {
  const Signature sig = key.sign(warrant_signing_message(payload));
  return cbor::encode(cbor::Value::array(
      {cbor::Value::integer(1), cbor::Value::bytes(payload),
       cbor::Value::array({cbor::Value::integer(1), cbor::Value::bytes(ByteView(sig))})}));
}

// encode_payload(p) signed by `key`, skipping validate_payload (so invalid payloads can be made).
inline Bytes sign_unchecked(const Payload& p, const SigningKey& key) {
  return envelope_for(encode_payload(p), key);
}

// A valid payload signed through the library's signer.
inline Warrant signed_warrant(Payload p, const SigningKey& key) {
  auto w = WarrantFactory::sign(std::move(p), key);
  REQUIRE_MESSAGE(w.has_value(), (w ? std::string() : w.error().message));
  return std::move(*w);
}

inline Warrant decoded(ByteView envelope) {
  auto w = decode_warrant(envelope);
  REQUIRE_MESSAGE(w.has_value(), (w ? std::string() : w.error().message));
  return std::move(*w);
}

// WarrantStack bytes from envelopes (root first).
inline Bytes stack_of(const std::vector<Bytes>& envelopes) {
  Bytes out;
  cbor::write_head(out, 4, envelopes.size());
  for (const auto& e : envelopes) out.insert(out.end(), e.begin(), e.end());
  return out;
}

inline Bytes envelope_bytes(const Warrant& w) {
  return Bytes(w.envelope_bytes().begin(), w.envelope_bytes().end());
}

// A well-formed child payload of `parent`: signed by the parent's holder, held by `holder`,
// same tools, issued one second later, same expiry and max_depth, depth + 1, parent hash set.
inline Payload child_payload(const Warrant& parent, const PublicKey& holder, std::uint32_t id_n) {
  const Payload& pp = parent.payload();
  Payload c(holder, pp.holder);
  c.id = id_of(id_n);
  c.type = WarrantType::Execution;
  c.tools = pp.tools;
  c.issued_at = pp.issued_at + 1;
  c.expires_at = pp.expires_at;
  c.max_depth = pp.max_depth;
  c.depth = pp.depth + 1;
  c.parent_hash = parent.payload_hash();
  return c;
}

// Decodes payload bytes as a generic CBOR tree (for edits that encode_payload cannot express).
inline cbor::Value payload_tree(ByteView payload) {
  auto v = cbor::decode(payload, {.max_depth = kMaxPayloadCborDepth, .max_bytes = kMaxStackBytes});
  REQUIRE(v.has_value());
  return *v;
}

// Replaces (or, when absent, inserts in key order) integer key `k` of a payload map.
inline void set_key(cbor::Value& payload, std::int64_t k, cbor::Value v) {
  auto& m = payload.as_map();
  for (auto& e : m)
    if (e.key.as_int() == k) {
      e.value = std::move(v);
      return;
    }
  auto it = m.begin();
  while (it != m.end() && it->key.as_int() < k) ++it;
  m.insert(it, cbor::Entry{cbor::Value::integer(k), std::move(v)});
}

inline void drop_key(cbor::Value& payload, std::int64_t k) {
  auto& m = payload.as_map();
  std::erase_if(m, [k](const cbor::Entry& e) { return e.key.as_int() == k; });
}

}  // namespace tenuo::test
