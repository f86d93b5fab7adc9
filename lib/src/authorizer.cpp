#include <tenuo/authorizer.hpp>
#include <tenuo/builders.hpp>
#include <tenuo/pop.hpp>

#include <mutex>

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

Authorizer::Authorizer(AuthorizerOptions opts) : m_opts(std::move(opts)) {}
Authorizer::~Authorizer() = default;

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
  auto chain = decode_warrants(chain_cbor, t);
  if (!chain) return denied(chain.error());
  return check(std::span<const Warrant>(*chain), call, t);
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
  ToolCall sorted_call{call.tool, Value::object(call.args).as_object(), call.pop};
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
  auto chain = read_warrants(as_bytes(text), t);
  if (!chain) return denied(chain.error());
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
