#include <tenuo/config.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <mutex>
#include <utility>

namespace tenuo {

namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read at configuration time
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

std::mutex g_mutex;
std::shared_ptr<const Config> g_config;  // guarded by g_mutex

}  // namespace

Result<Config> Config::create(ConfigOptions opts) {
  if (opts.pop_windows < 2 || opts.pop_windows > 10)
    return fail(ErrorCode::InvalidInput, "pop_windows must be within 2..10");
  if (opts.scope_ttl.count() <= 0) return fail(ErrorCode::InvalidInput, "scope_ttl must be positive");
  if (opts.trusted_roots.empty() && opts.dev_mode != DevMode::On)
    return fail(ErrorCode::InvalidInput,
                "no trusted roots configured: set trusted_roots (TENUO_TRUSTED_ROOTS) or enable dev mode "
                "explicitly (TENUO_DEV_MODE=1)");
  Config c;
  if (opts.issuer_key) c.m_issuer = std::make_shared<const SigningKey>(std::move(*opts.issuer_key));
  c.m_mode = opts.mode;
  c.m_dev = opts.dev_mode;
  c.m_roots.keys = std::move(opts.trusted_roots);
  // Dev mode without roots: the configured issuer is the only trust anchor, so warrants this
  // service mints for itself verify and nothing else does.
  if (c.m_roots.keys.empty() && c.m_issuer) c.m_roots.keys.push_back(c.m_issuer->public_key());
  c.m_audit_log = std::move(opts.audit_log);
  c.m_sink = std::move(opts.audit_sink);
  c.m_pop_windows = opts.pop_windows;
  c.m_scope_ttl = opts.scope_ttl;
  return c;
}

Result<Config> Config::from_env() {
  ConfigOptions opts;
  if (env("TENUO_ISSUER_KEY")) {
    auto k = SigningKey::from_env("TENUO_ISSUER_KEY");
    if (!k) return fail(ErrorCode::InvalidInput, "TENUO_ISSUER_KEY: " + k.error().message);
    opts.issuer_key.emplace(std::move(k).value());
  }
  if (auto m = env("TENUO_MODE")) {
    auto mode = parse_mode(trim(*m));
    if (!mode) return fail(ErrorCode::InvalidInput, "TENUO_MODE must be enforce, audit or permissive");
    opts.mode = *mode;
  }
  if (auto roots = env("TENUO_TRUSTED_ROOTS")) {
    std::string_view rest = *roots;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto item = trim(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      if (item.empty()) continue;
      auto pk = PublicKey::parse(item);
      if (!pk) return fail(ErrorCode::InvalidInput, "TENUO_TRUSTED_ROOTS: " + pk.error().message);
      opts.trusted_roots.push_back(*pk);
    }
  }
  if (auto d = env("TENUO_DEV_MODE")) {
    std::string v = trim(*d);
    std::transform(v.begin(), v.end(), v.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    if (v == "1" || v == "true" || v == "yes" || v == "on") opts.dev_mode = DevMode::On;
    else if (v == "0" || v == "false" || v == "no" || v == "off") opts.dev_mode = DevMode::Off;
    else return fail(ErrorCode::InvalidInput, "TENUO_DEV_MODE must be 1/true/yes/on or 0/false/no/off");
  }
  opts.audit_log = env("TENUO_AUDIT_LOG");
  return create(std::move(opts));
}

Result<void> Config::record(const AuditRecord& rec) const {
  if (m_sink) m_sink(rec);
  if (m_audit_log) return append_audit_line(*m_audit_log, to_json_line(rec));
  return {};
}

namespace {
std::string key_var(std::string_view id) { return "TENUO_KEY_" + std::string(id); }
}  // namespace

Result<SigningKey> signing_key_for(std::string_view id) {
  auto name = key_var(id);
  if (!env(name.c_str())) return fail(ErrorCode::InvalidInput, name + " is not set");
  return SigningKey::from_env(name.c_str());
}

Result<PublicKey> public_key_for(std::string_view id) {
  auto name = key_var(id);
  auto text = env(name.c_str());
  if (!text) return fail(ErrorCode::InvalidInput, name + " is not set");
  // A named key holds a signing key (as the Temporal integration stores them); its public
  // half is wanted. 32 raw bytes in hex or base64 could read as either half, so only an
  // explicit SPKI PEM block is taken as a public key; anything else is parsed as a secret
  // (as `tenuo env` reads TENUO_KEY_<ID>).
  if (text->find("-----BEGIN PUBLIC KEY-----") != std::string::npos) return PublicKey::parse(*text);
  TENUO_TRY_ASSIGN(auto sk, SigningKey::parse(*text));
  return sk.public_key();
}

Result<void> configure(ConfigOptions opts) {
  TENUO_TRY_ASSIGN(auto c, Config::create(std::move(opts)));
  configure(std::move(c));
  return {};
}

Result<void> auto_configure() {
  TENUO_TRY_ASSIGN(auto c, Config::from_env());
  configure(std::move(c));
  return {};
}

void configure(Config config) {
  auto p = std::make_shared<const Config>(std::move(config));
  std::lock_guard lock(g_mutex);
  g_config = std::move(p);
}

std::shared_ptr<const Config> current_config() {
  std::lock_guard lock(g_mutex);
  return g_config;
}

void reset_configuration() {
  std::lock_guard lock(g_mutex);
  g_config.reset();
}

bool is_audit_mode() {
  auto c = current_config();
  return c && c->is_audit_mode();
}
bool is_enforce_mode() {
  auto c = current_config();
  return !c || c->is_enforce_mode();
}
bool should_block_violation() { return is_enforce_mode(); }

}  // namespace tenuo
