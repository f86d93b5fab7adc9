#include <tenuo/authorizer.hpp>
#include <tenuo/builders.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/limits.hpp>
#include <tenuo/pop.hpp>

#include "detail/crypto.hpp"

#include <algorithm>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace tenuo {

namespace {
Decision denied(const Error& e, std::optional<std::string> id = {}) {
  Decision d;
  d.code = e.code;
  d.message = e.message;
  d.chain_index = e.chain_index;
  d.warrant_id = std::move(id);
  return d;
}
}  // namespace

// Exact chain bytes -> the warrants they decoded to, signatures verified. Entries are evicted
// oldest first once the entry or byte budget is exceeded. Only successful decodes are stored,
// so input that fails cannot displace anything but the oldest entries.
struct Authorizer::LinkCache {
  struct Entry {
    Bytes cbor;
    std::shared_ptr<const std::vector<Warrant>> chain;
  };
  std::mutex mutex;
  std::unordered_map<std::string, Entry> entries;  // key: SHA-256 of the bytes
  std::deque<std::string> order;                   // insertion order, for eviction
  std::size_t bytes = 0;
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
};

Authorizer::Authorizer(AuthorizerOptions opts)
    : m_opts(std::move(opts)), m_cache(std::make_unique<LinkCache>()) {}
Authorizer::~Authorizer() = default;

LinkCacheStats Authorizer::link_cache_stats() const {
  std::lock_guard lock(m_cache->mutex);
  return LinkCacheStats{m_cache->hits, m_cache->misses, m_cache->entries.size(), m_cache->bytes};
}

Result<std::shared_ptr<const std::vector<Warrant>>> Authorizer::decoded(ByteView cbor, std::int64_t now) const {
  const std::size_t capacity = m_opts.link_cache_entries;
  std::string key;
  if (capacity > 0 && cbor.size() <= kLinkCacheBytes) {
    const auto h = detail::sha256(cbor);
    key.assign(reinterpret_cast<const char*>(h.data()), h.size());
    // decode_warrants(cbor, now) also refuses a link issued after now + tolerance, so a cached
    // chain is re-checked against this call's clock; one that fails takes the full path, which
    // reports exactly what an uncached decode would.
    const auto unow = static_cast<std::uint64_t>(std::max<std::int64_t>(now, 0));
    std::lock_guard lock(m_cache->mutex);
    auto it = m_cache->entries.find(key);
    if (it != m_cache->entries.end() && std::ranges::equal(it->second.cbor, cbor) &&
        std::ranges::none_of(*it->second.chain, [&](const Warrant& w) {
          return w.payload().issued_at > unow + kClockToleranceSeconds;
        })) {
      ++m_cache->hits;
      return it->second.chain;
    }
    ++m_cache->misses;
  }
  TENUO_TRY_ASSIGN(auto chain, decode_warrants(cbor, now));
  auto shared = std::make_shared<const std::vector<Warrant>>(std::move(chain));
  if (!key.empty()) {
    std::lock_guard lock(m_cache->mutex);
    if (m_cache->entries.find(key) == m_cache->entries.end()) {
      m_cache->entries.emplace(key, LinkCache::Entry{Bytes(cbor.begin(), cbor.end()), shared});
      m_cache->order.push_back(key);
      m_cache->bytes += cbor.size();
      while (!m_cache->order.empty() &&
             (m_cache->entries.size() > capacity || m_cache->bytes > kLinkCacheBytes)) {
        auto old = m_cache->entries.find(m_cache->order.front());
        m_cache->bytes -= old->second.cbor.size();
        m_cache->entries.erase(old);
        m_cache->order.pop_front();
      }
    }
  }
  return shared;
}

Result<std::unique_ptr<Authorizer>> Authorizer::create(AuthorizerOptions opts) {
  if (opts.roots.keys.empty()) return fail(ErrorCode::InvalidInput, "an Authorizer needs trusted roots");
  if (opts.pop_windows < 2 || opts.pop_windows > 10)
    return fail(ErrorCode::InvalidInput, "pop_windows must be within 2..10");
  return std::unique_ptr<Authorizer>(new Authorizer(std::move(opts)));
}

std::unique_ptr<Authorizer> Authorizer::from_config(const Config& config) {
  AuthorizerOptions o;
  o.roots = config.trusted_roots();
  o.pop_windows = config.pop_windows();
  return std::unique_ptr<Authorizer>(new Authorizer(std::move(o)));
}

Decision Authorizer::check(ByteView chain_cbor, const ToolCall& call, std::optional<std::int64_t> now) const {
  const std::int64_t t = now.value_or(unix_now());
  auto chain = decoded(chain_cbor, t);
  if (!chain) return denied(chain.error());
  return check(std::span<const Warrant>(**chain), call, t);
}

Decision Authorizer::check(std::span<const Warrant> chain, const ToolCall& call,
                           std::optional<std::int64_t> now) const {
  std::optional<std::string> leaf_id;
  if (!chain.empty()) leaf_id = chain.back().id_text();
  VerifyOptions vo;
  vo.now = now.value_or(unix_now());
  vo.session = m_opts.session;
  {
    std::shared_lock lock(m_mutex);
    vo.revoked_ids = m_opts.revoked_ids;
  }
  auto verified = verify_chain(std::vector<Warrant>(chain.begin(), chain.end()), m_opts.roots, vo);
  if (!verified) return denied(verified.error(), leaf_id);
  AuthorizeOptions ao;
  ao.pop_windows = m_opts.pop_windows;
  ToolCall sorted_call{call.tool, Value::object(call.args).as_object(), call.pop, call.approvals};
  auto auth = authorize(*verified, sorted_call, ao);
  if (!auth) return denied(auth.error(), leaf_id);
  Decision d;
  d.allowed = true;
  d.matched_tool = auth->matched_tool;
  d.warrant_id = leaf_id;
  return d;
}

Decision Authorizer::check_headers(const Headers& h, std::string_view tool, const Object& args,
                                   std::optional<std::int64_t> now) const {
  const std::int64_t t = now.value_or(unix_now());
  auto w = h.find(kWarrantHeader);
  if (w == h.end()) return denied(Error(ErrorCode::InvalidInput, "missing X-Tenuo-Warrant header"));
  const auto& text = w->second;
  auto cbor = warrant_cbor_from_any(as_bytes(text));
  if (!cbor) return denied(cbor.error());
  auto decoded_chain = decoded(*cbor, t);
  if (!decoded_chain) return denied(decoded_chain.error());
  const std::vector<Warrant>* chain = decoded_chain->get();
  ToolCall call{std::string(tool), args, std::nullopt};
  auto p = h.find(kPopHeader);
  if (p == h.end()) {
    Decision d = denied(Error(ErrorCode::SignatureInvalid, "missing X-Tenuo-PoP header"));
    d.warrant_id = chain->back().id_text();
    return d;
  }
  auto sig = parse_pop_signature(p->second);
  if (!sig) {
    Decision d = denied(Error(ErrorCode::SignatureInvalid, "unreadable X-Tenuo-PoP: " + sig.error().message));
    d.warrant_id = chain->back().id_text();
    return d;
  }
  call.pop = *sig;
  if (auto a = h.find(kApprovalsHeader); a != h.end()) {
    auto approvals = parse_approvals(a->second);
    if (!approvals) {
      Decision d = denied(Error(ErrorCode::ApprovalInvalid, "unreadable X-Tenuo-Approvals: " + approvals.error().message));
      d.warrant_id = chain->back().id_text();
      return d;
    }
    call.approvals = std::move(*approvals);
  }
  return check(std::span<const Warrant>(*chain), call, t);
}

void Authorizer::revoke(std::string id) {
  std::unique_lock lock(m_mutex);
  m_opts.revoked_ids.push_back(std::move(id));
}

void Authorizer::set_revoked(std::vector<std::string> ids) {
  std::unique_lock lock(m_mutex);
  m_opts.revoked_ids = std::move(ids);
}

}  // namespace tenuo
