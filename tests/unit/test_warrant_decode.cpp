// Differential test of the payload decoder: decode_warrant (and the pre-signature reader
// untrusted_root_claim) against an independent model that decodes the
// payload into a generic CBOR tree and applies the field rules of WIRE.md §4.1 to the tree, in
// the library's documented order (CBOR first, then the issuer before the signature, then every
// key, version, required fields, each field, validate_payload). Over thousands of hand-edited
// and mutated payloads, both must agree: the same ErrorCode (and byte offset for CBOR errors),
// or the same decoded payload.
#include "warrant_fixtures.hpp"

#include <tenuo/cbor.hpp>
#include <tenuo/constraint.hpp>
#include <tenuo/limits.hpp>
#include <tenuo/warrant.hpp>

#include "detail/warrant_peek.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace tenuo;
using namespace tenuo::test;

namespace {

namespace model {

Unexpected malformed() { return fail(ErrorCode::MalformedCbor, "model"); }
Unexpected structure() { return fail(ErrorCode::InvalidPayloadStructure, "model"); }

Result<PublicKey> key(const cbor::Value& v) {
  if (!v.is(cbor::Kind::Array) || v.as_array().size() != 2) return malformed();
  const auto& a = v.as_array();
  if (!a[0].is(cbor::Kind::Integer) || a[0].as_int() != 1) return malformed();
  if (!a[1].is(cbor::Kind::Bytes) || a[1].as_bytes().size() != 32) return malformed();
  auto k = PublicKey::from_bytes(a[1].as_bytes());
  if (!k) return malformed();
  return k;
}

template <class T>
Result<T> uint(const cbor::Value& v) {
  if (!v.is(cbor::Kind::Integer) || v.as_int() < 0) return malformed();
  const auto n = static_cast<std::uint64_t>(v.as_int());
  if (n > std::numeric_limits<T>::max()) return malformed();
  return static_cast<T>(n);
}

Result<Bytes> uint_array(const cbor::Value& v, std::size_t max_len) {
  if (!v.is(cbor::Kind::Array)) return malformed();
  if (v.as_array().size() > max_len) return structure();
  Bytes out;
  for (const auto& x : v.as_array()) {
    if (!x.is(cbor::Kind::Integer) || x.as_int() < 0 || x.as_int() > 255) return malformed();
    out.push_back(static_cast<std::uint8_t>(x.as_int()));
  }
  return out;
}

bool utf8(const Bytes& b) {
  Bytes enc;
  cbor::write_text(enc, as_chars(b));
  return cbor::decode(enc).has_value();
}

// Keys of a map of text keys in strictly ascending byte order.
Result<void> text_keys_ordered(const cbor::Map& m) {
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (!m[i].key.is(cbor::Kind::Text)) return malformed();
    if (i > 0 && !(m[i - 1].key.as_text() < m[i].key.as_text())) return malformed();
  }
  return {};
}

Result<Payload> fields(const cbor::Value& root) {
  if (!root.is(cbor::Kind::Map)) return malformed();
  std::int64_t prev = -1;
  const cbor::Value* f[19] = {};
  for (const auto& e : root.as_map()) {
    if (!e.key.is(cbor::Kind::Integer) || e.key.as_int() < 0) return malformed();
    const auto k = e.key.as_int();
    if (k == 12 || k > 18 || k <= prev) return malformed();
    prev = k;
    f[k] = &e.value;
  }
  if (f[0] == nullptr) return malformed();
  TENUO_TRY_ASSIGN(auto version, uint<std::uint64_t>(*f[0]));
  if (version != 1) return structure();
  for (int k : {1, 2, 3, 4, 5, 6, 7, 8, 18})
    if (f[k] == nullptr) return malformed();
  TENUO_TRY_ASSIGN(PublicKey holder, key(*f[4]));
  TENUO_TRY_ASSIGN(PublicKey issuer, key(*f[5]));
  Payload p(holder, issuer);
  if (!f[1]->is(cbor::Kind::Bytes) || f[1]->as_bytes().size() != 16) return malformed();
  std::copy(f[1]->as_bytes().begin(), f[1]->as_bytes().end(), p.id.begin());
  TENUO_TRY_ASSIGN(auto type, uint<std::uint8_t>(*f[2]));
  if (type > 1) return malformed();
  p.type = static_cast<WarrantType>(type);
  if (!f[3]->is(cbor::Kind::Map)) return malformed();
  if (f[3]->as_map().size() > kMaxToolsPerWarrant) return structure();
  // Names and sets are judged entry by entry, in order.
  for (std::size_t i = 0; i < f[3]->as_map().size(); ++i) {
    const auto& m = f[3]->as_map();
    if (!m[i].key.is(cbor::Kind::Text)) return malformed();
    if (i > 0 && !(m[i - 1].key.as_text() < m[i].key.as_text())) return malformed();
    TENUO_TRY_ASSIGN(ConstraintSet cs, constraint_set_from_cbor(m[i].value));
    p.tools.emplace_back(m[i].key.as_text(), std::move(cs));
  }
  TENUO_TRY_ASSIGN(p.issued_at, uint<std::uint64_t>(*f[6]));
  TENUO_TRY_ASSIGN(p.expires_at, uint<std::uint64_t>(*f[7]));
  TENUO_TRY_ASSIGN(p.max_depth, uint<std::uint8_t>(*f[8]));
  if (f[9] != nullptr) {
    if (!f[9]->is(cbor::Kind::Array) || f[9]->as_array().size() != 32) return malformed();
    TENUO_TRY_ASSIGN(Bytes h, uint_array(*f[9], 32));
    Sha256Digest d{};
    std::copy(h.begin(), h.end(), d.begin());
    p.parent_hash = d;
  }
  if (f[10] != nullptr) {
    if (!f[10]->is(cbor::Kind::Map) || f[10]->as_map().empty()) return malformed();
    const auto& m = f[10]->as_map();
    if (m.size() > kMaxExtensionKeys) return structure();
    for (std::size_t i = 0; i < m.size(); ++i) {
      if (!m[i].key.is(cbor::Kind::Text)) return malformed();
      if (i > 0 && !(m[i - 1].key.as_text() < m[i].key.as_text())) return malformed();
      TENUO_TRY_ASSIGN(Bytes val, uint_array(m[i].value, kMaxExtensionValueBytes));
      const std::string& k = m[i].key.as_text();
      if (k == kSessionIdExtension || k == kAgentIdExtension) {
        if (!utf8(val)) return malformed();
        (k == kSessionIdExtension ? p.session_id : p.agent_id) = std::string(as_chars(val));
      } else {
        p.extensions.emplace_back(k, std::move(val));
      }
    }
  }
  if (f[11] != nullptr) {
    if (!f[11]->is(cbor::Kind::Array)) return malformed();
    std::vector<std::string> tools;
    for (const auto& x : f[11]->as_array()) {
      if (!x.is(cbor::Kind::Text)) return malformed();
      tools.push_back(x.as_text());
    }
    p.issuable_tools = std::move(tools);
  }
  if (f[13] != nullptr) {
    TENUO_TRY_ASSIGN(auto v, uint<std::uint32_t>(*f[13]));
    p.max_issue_depth = v;
  }
  if (f[14] != nullptr) {
    TENUO_TRY_ASSIGN(ConstraintSet cs, constraint_set_from_cbor(*f[14]));
    if (cs.empty()) return malformed();
    p.constraint_bounds = std::move(cs);
  }
  if (f[15] != nullptr) {
    if (!f[15]->is(cbor::Kind::Array)) return malformed();
    std::vector<PublicKey> keys;
    for (const auto& x : f[15]->as_array()) {
      TENUO_TRY_ASSIGN(PublicKey k, key(x));
      keys.push_back(k);
    }
    p.required_approvers = std::move(keys);
  }
  if (f[16] != nullptr) {
    TENUO_TRY_ASSIGN(auto v, uint<std::uint32_t>(*f[16]));
    p.min_approvals = v;
  }
  if (f[17] != nullptr) {
    TENUO_TRY_ASSIGN(auto v, uint<std::uint8_t>(*f[17]));
    p.clearance = v;
  }
  TENUO_TRY_ASSIGN(p.depth, uint<std::uint32_t>(*f[18]));
  TENUO_TRY(validate_payload(p));
  return p;
}

Result<cbor::Value> tree(ByteView payload) {
  return cbor::decode(payload, {.max_depth = kMaxPayloadCborDepth, .max_bytes = kMaxWarrantBytes});
}

// The issuer claimed by a payload, as read before its signature is checked.
Result<PublicKey> claimed_issuer(const cbor::Value& root) {
  const cbor::Value* issuer = root.find_int(5);
  if (issuer == nullptr) return malformed();
  return key(*issuer);
}

// decode_warrant of `payload` enveloped and signed by `signer`.
Result<Payload> decode(ByteView payload, const PublicKey& signer) {
  TENUO_TRY_ASSIGN(cbor::Value root, tree(payload));
  TENUO_TRY_ASSIGN(PublicKey issuer, claimed_issuer(root));
  if (issuer != signer) return fail(ErrorCode::SignatureInvalid, "model");
  return fields(root);
}

}  // namespace model

// A "now" later than most issue times the edits produce, but not all.
constexpr std::int64_t kNow = std::int64_t{1} << 36;

struct Counts {
  std::size_t cases = 0;
  std::size_t accepted = 0;
};

// Checks one payload: decode_warrant and untrusted_root_claim agree with the model.
void check(ByteView payload, Counts& counts) {
  const SigningKey signer = key_of(1);
  const Bytes envelope = envelope_for(payload, signer);
  ++counts.cases;
  const auto want = model::decode(payload, signer.public_key());
  const auto got = decode_warrant(envelope);
  CAPTURE(hex_encode(payload));
  REQUIRE(got.has_value() == want.has_value());
  if (want) {
    ++counts.accepted;
    CHECK(encode_payload(got->payload()) == encode_payload(*want));
    CHECK(Bytes(got->payload_bytes().begin(), got->payload_bytes().end()) == Bytes(payload.begin(), payload.end()));
  } else {
    CHECK(got.error().code == want.error().code);
    if (want.error().code == ErrorCode::MalformedCbor && want.error().byte_offset)
      CHECK(got.error().byte_offset == want.error().byte_offset);
  }

  // The pre-signature readers, which ignore the signature.
  const auto root = model::tree(payload);
  std::optional<PublicKey> want_issuer;
  bool want_valid = false;
  if (root) {
    if (auto k = model::claimed_issuer(*root)) want_issuer = *k;
    const auto fields = model::fields(*root);
    want_valid = fields && fields->issued_at <= static_cast<std::uint64_t>(kNow) + kClockToleranceSeconds;
  }
  const ByteView links[] = {ByteView(envelope)};
  const auto untrusted = detail::untrusted_root_claim(links, kNow, [](const PublicKey&) { return false; });
  CHECK(untrusted == (want_valid ? want_issuer : std::nullopt));
  // A trusted root is never reported, whatever the payload holds.
  CHECK(!detail::untrusted_root_claim(links, kNow, [](const PublicKey&) { return true; }));
}

void check(const cbor::Value& payload, Counts& counts) {
  const Bytes b = cbor::encode(payload);
  if (b.size() + 128 > kMaxWarrantBytes) return;
  check(ByteView(b), counts);
}

cbor::Value key_value(const SigningKey& k) {
  return cbor::Value::array({cbor::Value::integer(1), cbor::Value::bytes(ByteView(k.public_key().bytes()))});
}

cbor::Value ints(std::size_t n, std::int64_t v) {
  cbor::Array a(n, cbor::Value::integer(v));
  return cbor::Value::array(std::move(a));
}

cbor::Value text_map(std::vector<std::pair<std::string, cbor::Value>> entries) {
  cbor::Map m;
  for (auto& [k, v] : entries) m.push_back({cbor::Value::text(k), std::move(v)});
  return cbor::Value::map(std::move(m));
}

// Values of every shape the payload fields take, right and wrong.
std::vector<cbor::Value> palette() {
  using V = cbor::Value;
  const V wildcard_set = to_cbor(set_of("path", c::Wildcard{}));
  const V range_set = to_cbor(set_of("n", c::Range{0.0, 10.0, true, true}));
  const Bytes bad_utf8 = {0xff, 0xfe};
  std::vector<V> out = {
      V::integer(0), V::integer(1), V::integer(2), V::integer(3), V::integer(24), V::integer(255),
      V::integer(256), V::integer(65536), V::integer(std::int64_t{1} << 32), V::integer(std::int64_t{1} << 40),
      V::integer(-1), V::integer(-300), V::integer(static_cast<std::int64_t>(kT0)),
      V::bytes(Bytes{}), V::bytes(Bytes(16, 7)), V::bytes(Bytes(32, 9)), V::text(""), V::text("x"),
      V::text("read_file"), V::array({}), ints(32, 0), ints(32, 255), ints(31, 1), ints(33, 1), ints(8, 256),
      ints(4, -1), V::array({V::integer(1), V::bytes(Bytes(32, 0))}), key_value(key_of(3)),
      V::array({V::integer(2), V::bytes(ByteView(key_of(3).public_key().bytes()))}),
      V::array({V::integer(1), V::bytes(Bytes(31, 1))}),
      V::array({V::integer(1), V::text("k")}),
      V::array({key_value(key_of(3))}), V::array({key_value(key_of(3)), key_value(key_of(4))}),
      V::array({key_value(key_of(3)), V::integer(1)}), V::array({V::text("a"), V::text("b")}),
      V::array({V::text("a"), V::integer(1)}), V::array({V::text("b"), V::text("a")}),
      V::map({}), text_map({{"a", wildcard_set}}), text_map({{"a", wildcard_set}, {"b", range_set}}),
      text_map({{"b", wildcard_set}, {"a", wildcard_set}}), text_map({{"a", wildcard_set}, {"a", wildcard_set}}),
      text_map({{"a", V::map({})}}), text_map({{"a", V::integer(5)}}), text_map({{"a", V::text("x")}}),
      V::map({cbor::Entry{V::integer(1), wildcard_set}}), wildcard_set, range_set,
      text_map({{"path", V::array({V::integer(99)})}}),
      text_map({{"a", ints(2, 1)}}), text_map({{"a", ints(2, 1)}, {"b", ints(1, 2)}}),
      text_map({{"b", ints(1, 1)}, {"a", ints(1, 2)}}), text_map({{"a", V::bytes(Bytes{1})}}),
      text_map({{"a", ints(1, 300)}}), text_map({{"a", ints(kMaxExtensionValueBytes + 1, 1)}}),
      text_map({{std::string(kSessionIdExtension), V::uint_array(as_bytes("s-1"))}}),
      text_map({{std::string(kAgentIdExtension), V::uint_array(bad_utf8)}}),
      text_map({{std::string(kAgentIdExtension), V::uint_array(as_bytes("agent"))},
                {std::string(kSessionIdExtension), V::uint_array(as_bytes("s"))}}),
      V::boolean(true), V::null(), V::floating(1.5),
  };
  cbor::Map many_ext;
  for (std::size_t i = 0; i <= kMaxExtensionKeys; ++i)
    many_ext.push_back({V::text("k" + std::to_string(100 + i)), ints(1, 1)});
  out.push_back(V::map(many_ext));
  many_ext.pop_back();
  out.push_back(V::map(std::move(many_ext)));
  cbor::Map many_tools;
  for (std::size_t i = 0; i <= kMaxToolsPerWarrant; ++i)
    many_tools.push_back({V::text("t" + std::to_string(1000 + i)), V::map({})});
  out.push_back(V::map(many_tools));
  many_tools.pop_back();
  out.push_back(V::map(std::move(many_tools)));
  return out;
}

// Base payloads: A.1, one with every optional field, and an issuer warrant.
std::vector<Payload> bases() {
  std::vector<Payload> out;
  out.push_back(a1_payload());
  Payload full = a1_payload();
  full.tools.emplace_back("search", set_of("q", c::Pattern{"*"}));
  full.tools.emplace_back("transfer", set_of("amount", c::Range{0.0, 100.0, true, false}));
  full.max_depth = 5;
  full.depth = 1;
  full.parent_hash = Sha256Digest{};
  (*full.parent_hash)[3] = 200;
  full.extensions.emplace_back("app.x", Bytes{1, 2, 3});
  full.session_id = "sess";
  full.agent_id = "agent-7";
  full.constraint_bounds = set_of("path", c::Pattern{"/data/*"});
  full.required_approvers = std::vector<PublicKey>{key_of(3).public_key(), key_of(4).public_key()};
  full.min_approvals = 1;
  full.clearance = 2;
  out.push_back(full);
  Payload issuer = a1_payload();
  issuer.type = WarrantType::Issuer;
  issuer.tools.clear();
  issuer.issuable_tools = std::vector<std::string>{"read_file", "search"};
  issuer.max_issue_depth = 2;
  out.push_back(issuer);
  return out;
}

// The edits applied to every base: each key dropped, and set to every palette value.
std::vector<cbor::Value> single_edits(const cbor::Value& base, const std::vector<cbor::Value>& values) {
  std::vector<cbor::Value> out;
  for (std::int64_t k = 0; k <= 20; ++k) {
    cbor::Value d = base;
    drop_key(d, k);
    out.push_back(std::move(d));
    for (const auto& v : values) {
      cbor::Value e = base;
      set_key(e, k, v);
      out.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace

TEST_SUITE("tenuo::warrant_decode") {

TEST_CASE("the payload decoder agrees with the tree model on every single-field edit") {
  const auto values = palette();
  Counts counts;
  for (const Payload& p : bases()) {
    const cbor::Value base = payload_tree(encode_payload(p));
    check(base, counts);
    for (const auto& e : single_edits(base, values)) check(e, counts);
  }
  // Some edits must decode, and many must fail: the comparison covers both sides.
  CHECK(counts.accepted > 20);
  CHECK(counts.cases - counts.accepted > 1000);
}

TEST_CASE("the payload decoder agrees with the tree model on random pairs of edits") {
  const auto values = palette();
  std::mt19937 rng(20261129);
  Counts counts;
  for (const Payload& p : bases()) {
    const cbor::Value base = payload_tree(encode_payload(p));
    for (int i = 0; i < 1500; ++i) {
      cbor::Value e = base;
      for (int j = 0; j < 2; ++j) {
        const auto k = static_cast<std::int64_t>(rng() % 20);
        if (rng() % 5 == 0)
          drop_key(e, k);
        else
          set_key(e, k, values[rng() % values.size()]);
      }
      check(e, counts);
    }
  }
  CHECK(counts.accepted > 10);
}

TEST_CASE("the payload decoder agrees with the tree model on map-level edits") {
  Counts counts;
  for (const Payload& p : bases()) {
    const cbor::Value base = payload_tree(encode_payload(p));
    const auto& m = base.as_map();
    // Keys out of order: every adjacent swap, and the whole map reversed.
    for (std::size_t i = 0; i + 1 < m.size(); ++i) {
      cbor::Map s = m;
      std::swap(s[i], s[i + 1]);
      check(cbor::Value::map(std::move(s)), counts);
    }
    cbor::Map r(m.rbegin(), m.rend());
    check(cbor::Value::map(std::move(r)), counts);
    // A duplicate of every key (rejected as CBOR), right after it and at the end.
    for (std::size_t i = 0; i < m.size(); ++i) {
      cbor::Map d = m;
      d.insert(d.begin() + static_cast<std::ptrdiff_t>(i) + 1, m[i]);
      check(cbor::Value::map(d), counts);
      cbor::Map d2 = m;
      d2.push_back(m[i]);
      check(cbor::Value::map(std::move(d2)), counts);
    }
    // Keys that are not unsigned integers, in front, in the middle, at the end.
    for (const cbor::Value& bad : {cbor::Value::integer(-1), cbor::Value::text("0"), cbor::Value::integer(12),
                                   cbor::Value::integer(19), cbor::Value::integer(1000)}) {
      for (std::size_t at : {std::size_t{0}, m.size() / 2, m.size()}) {
        cbor::Map b = m;
        b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), cbor::Entry{bad, cbor::Value::integer(0)});
        check(cbor::Value::map(std::move(b)), counts);
      }
    }
    // The root as something other than a map, and partial maps.
    check(cbor::Value::array({}), counts);
    check(cbor::Value::integer(1), counts);
    check(cbor::Value::map({}), counts);
    for (std::size_t n = 1; n < m.size(); ++n) check(cbor::Value::map(cbor::Map(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(n))), counts);
  }
  CHECK(counts.cases > 100);
}

TEST_CASE("the payload decoder agrees with the tree model on every bit flip, truncation and extension") {
  Counts counts;
  for (const Payload& p : bases()) {
    const Bytes valid = encode_payload(p);
    Bytes m = valid;
    for (std::size_t i = 0; i < m.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        m[i] = static_cast<std::uint8_t>(m[i] ^ (1U << bit));
        check(ByteView(m), counts);
        m[i] = valid[i];
      }
    }
    for (std::size_t n = 1; n < valid.size(); ++n) check(ByteView(valid).first(n), counts);
    for (std::uint8_t extra : {0x00, 0x01, 0xf6, 0x80, 0xa0}) {
      Bytes longer = valid;
      longer.push_back(extra);
      check(ByteView(longer), counts);
    }
    // Non-shortest heads: the root map head widened.
    Bytes wide = valid;
    wide[0] = 0xb8;
    wide.insert(wide.begin() + 1, static_cast<std::uint8_t>(valid[0] & 0x1f));
    check(ByteView(wide), counts);
  }
  CHECK(counts.accepted >= 3);
}

}  // TEST_SUITE
