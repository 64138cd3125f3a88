#include "common/sasl_digest.h"

#include <sasl/sasl.h>
#include <sasl/saslplug.h>
#include <sasl/saslutil.h>

#include <cstring>
#include <mutex>

#include <spdlog/spdlog.h>

namespace cairn {

// The auxprop plugin's way into the server whose step is running on this thread.
struct DigestMd5Access {
  static thread_local DigestMd5Server* current;
  static int Lookup(DigestMd5Server* server, sasl_server_params_t* sparams, unsigned flags, std::string_view user);
  static int ClientSimple(void* context, int id, const char** result, unsigned* len);
  static int ClientPass(sasl_conn_t*, void* context, int id, sasl_secret_t** secret);
  static int ClientRealm(void* context, int id, const char** avail, const char** result);
};
thread_local DigestMd5Server* DigestMd5Access::current = nullptr;

namespace {

constexpr char kAuxpropName[] = "cairn-delegation-tokens";

int GetOption(void*, const char*, const char* option, const char** result, unsigned* len) {
  if (std::strcmp(option, "auxprop_plugin") == 0) *result = kAuxpropName;
  else if (std::strcmp(option, "mech_list") == 0) *result = "DIGEST-MD5";
  else if (std::strcmp(option, "log_level") == 0) *result = "1";
  else return SASL_FAIL;
  if (len) *len = static_cast<unsigned>(std::strlen(*result));
  return SASL_OK;
}

int LogMessage(void*, int level, const char* message) {
  if (level <= SASL_LOG_ERR) spdlog::warn("SASL: {}", message);
  else spdlog::debug("SASL: {}", message);
  return SASL_OK;
}

int AuxpropLookup(void*, sasl_server_params_t* sparams, unsigned flags, const char* user, unsigned ulen) {
  DigestMd5Server* server = DigestMd5Access::current;
  if (server == nullptr || user == nullptr) return SASL_NOUSER;
  return DigestMd5Access::Lookup(server, sparams, flags, std::string_view(user, ulen));
}

sasl_auxprop_plug_t auxprop_plugin = {
    0, 0, nullptr, nullptr, AuxpropLookup, const_cast<char*>(kAuxpropName), nullptr,
};

int AuxpropInit(const sasl_utils_t*, int max_version, int* out_version, sasl_auxprop_plug_t** plug, const char*) {
  if (max_version < SASL_AUXPROP_PLUG_VERSION) return SASL_BADVERS;
  *out_version = SASL_AUXPROP_PLUG_VERSION;
  *plug = &auxprop_plugin;
  return SASL_OK;
}

using Callback = int (*)();
const sasl_callback_t kGlobalCallbacks[] = {
    {SASL_CB_GETOPT, reinterpret_cast<Callback>(&GetOption), nullptr},
    {SASL_CB_LOG, reinterpret_cast<Callback>(&LogMessage), nullptr},
    {SASL_CB_LIST_END, nullptr, nullptr},
};

Status InitCyrusOnce() {
  static std::once_flag once;
  static Status status;
  std::call_once(once, [] {
    int rc = sasl_server_init(kGlobalCallbacks, "cairn");
    if (rc != SASL_OK) {
      status = Internal("Cyrus SASL does not start: {}", sasl_errstring(rc, nullptr, nullptr));
      return;
    }
    rc = sasl_auxprop_add_plugin(kAuxpropName, &AuxpropInit);
    if (rc == SASL_OK) rc = sasl_client_init(nullptr);
    if (rc != SASL_OK) status = Internal("Cyrus SASL does not start: {}", sasl_errstring(rc, nullptr, nullptr));
  });
  return status;
}

// No security layer: qop "auth" only.
Status AuthenticationOnly(sasl_conn_t* conn) {
  sasl_security_properties_t props{};
  props.min_ssf = 0;
  props.max_ssf = 0;
  props.maxbufsize = 0;
  props.security_flags = SASL_SEC_NOANONYMOUS;
  int rc = sasl_setprop(conn, SASL_SEC_PROPS, &props);
  if (rc != SASL_OK) return Internal("cannot set SASL properties: {}", sasl_errdetail(conn));
  return Status::OK();
}

std::string Output(const char* out, unsigned len) { return out == nullptr ? std::string() : std::string(out, len); }

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out(bytes.size() * 4 / 3 + 8, '\0');
  unsigned len = 0;
  sasl_encode64(bytes.data(), static_cast<unsigned>(bytes.size()), out.data(), static_cast<unsigned>(out.size()),
                &len);
  out.resize(len);
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  std::string out(text.size() * 3 / 4 + 8, '\0');
  unsigned len = 0;
  if (sasl_decode64(text.data(), static_cast<unsigned>(text.size()), out.data(), static_cast<unsigned>(out.size()),
                    &len) != SASL_OK)
    return InvalidArgument("not base64");
  out.resize(len);
  return out;
}

int DigestMd5Access::Lookup(DigestMd5Server* server, sasl_server_params_t* sparams, unsigned flags,
                            std::string_view user) {
  if (flags & SASL_AUXPROP_AUTHZID) return SASL_OK;  // no authorization ids to look up
  // Cyrus may have appended "@realm"; base64 never holds '@'.
  if (size_t at = user.find('@'); at != std::string_view::npos) user = user.substr(0, at);
  auto identifier = Base64Decode(user);
  if (!identifier.ok()) {
    server->lookup_failure_ = PermissionDenied("the DIGEST-MD5 username is not a base64 token identifier");
    return SASL_NOUSER;
  }
  auto password = server->lookup_(*identifier);
  if (!password.ok()) {
    server->lookup_failure_ = password.status();
    return SASL_NOUSER;
  }
  server->identifier_ = *identifier;
  const std::string secret = Base64Encode(*password);
  for (const propval* cur = sparams->utils->prop_get(sparams->propctx); cur && cur->name; ++cur) {
    if (cur->name[0] != '*' || std::strcmp(cur->name + 1, SASL_AUX_PASSWORD_PROP) != 0) continue;
    if (cur->values && !(flags & SASL_AUXPROP_OVERRIDE)) continue;
    if (cur->values) sparams->utils->prop_erase(sparams->propctx, cur->name);
    sparams->utils->prop_set(sparams->propctx, cur->name, secret.data(), static_cast<unsigned>(secret.size()));
  }
  return SASL_OK;
}

Result<std::unique_ptr<DigestMd5Server>> DigestMd5Server::Create(PasswordLookup lookup) {
  RETURN_IF_ERROR(InitCyrusOnce());
  std::unique_ptr<DigestMd5Server> server(new DigestMd5Server(std::move(lookup)));
  const std::string id(kSaslTokenServerId);
  int rc = sasl_server_new(std::string(kSaslTokenProtocol).c_str(), id.c_str(), id.c_str(), nullptr, nullptr,
                           nullptr, 0, &server->conn_);
  if (rc != SASL_OK) return Internal("cannot start a DIGEST-MD5 server: {}", sasl_errstring(rc, nullptr, nullptr));
  RETURN_IF_ERROR(AuthenticationOnly(server->conn_));
  return server;
}

DigestMd5Server::~DigestMd5Server() {
  if (conn_) sasl_dispose(&conn_);
}

Result<std::string> DigestMd5Server::Start() {
  const char* out = nullptr;
  unsigned len = 0;
  DigestMd5Access::current = this;
  int rc = sasl_server_start(conn_, std::string(kSaslTokenMechanism).c_str(), nullptr, 0, &out, &len);
  DigestMd5Access::current = nullptr;
  if (rc != SASL_CONTINUE) return PermissionDenied("DIGEST-MD5 does not start: {}", sasl_errdetail(conn_));
  return Output(out, len);
}

Result<std::string> DigestMd5Server::Step(std::string_view response) {
  const char* out = nullptr;
  unsigned len = 0;
  lookup_failure_ = Status::OK();
  DigestMd5Access::current = this;
  int rc = sasl_server_step(conn_, response.data(), static_cast<unsigned>(response.size()), &out, &len);
  std::string answer = Output(out, len);
  if (rc == SASL_CONTINUE) {
    // Cyrus wants the client's (empty) acknowledgement of rspauth; Hadoop's protocol sends
    // rspauth with SUCCESS instead, so acknowledge on the client's behalf.
    rc = sasl_server_step(conn_, "", 0, &out, &len);
  }
  DigestMd5Access::current = nullptr;
  if (rc != SASL_OK) {
    if (!lookup_failure_.ok()) return PermissionDenied("token authentication failed: {}", lookup_failure_.message());
    return PermissionDenied("DIGEST-MD5 authentication failed: {}", sasl_errdetail(conn_));
  }
  done_ = true;
  return answer;
}

int DigestMd5Access::ClientSimple(void* context, int id, const char** result, unsigned* len) {
  auto* client = static_cast<DigestMd5Client*>(context);
  if (id == SASL_CB_AUTHNAME) *result = client->username_.c_str();
  else if (id == SASL_CB_USER) *result = "";
  else return SASL_BADPARAM;
  if (len) *len = static_cast<unsigned>(std::strlen(*result));
  return SASL_OK;
}

int DigestMd5Access::ClientPass(sasl_conn_t*, void* context, int id, sasl_secret_t** secret) {
  if (id != SASL_CB_PASS) return SASL_BADPARAM;
  *secret = reinterpret_cast<sasl_secret_t*>(static_cast<DigestMd5Client*>(context)->password_.data());
  return SASL_OK;
}

int DigestMd5Access::ClientRealm(void* context, int, const char**, const char** result) {
  *result = static_cast<DigestMd5Client*>(context)->realm_.c_str();
  return SASL_OK;
}

Result<std::unique_ptr<DigestMd5Client>> DigestMd5Client::Create(std::string identifier, std::string password) {
  RETURN_IF_ERROR(InitCyrusOnce());
  std::unique_ptr<DigestMd5Client> client(new DigestMd5Client());
  client->username_ = Base64Encode(identifier);
  const std::string secret = Base64Encode(password);
  // sasl_secret_t: an unsigned long length, then the bytes (NUL-terminated for safety).
  client->password_.assign(sizeof(unsigned long) + secret.size() + 1, '\0');
  const unsigned long secret_len = secret.size();
  std::memcpy(client->password_.data(), &secret_len, sizeof secret_len);
  std::memcpy(client->password_.data() + sizeof(unsigned long), secret.data(), secret.size());
  static_assert(offsetof(sasl_secret_t, data) == sizeof(unsigned long));
  return client;
}

DigestMd5Client::~DigestMd5Client() {
  if (conn_) sasl_dispose(&conn_);
}

Result<std::string> DigestMd5Client::Step(std::string_view challenge) {
  const char* out = nullptr;
  unsigned len = 0;
  int rc = SASL_OK;
  if (!started_) {
    callbacks_ = {
        {SASL_CB_AUTHNAME, reinterpret_cast<int (*)()>(&DigestMd5Access::ClientSimple), this},
        {SASL_CB_USER, reinterpret_cast<int (*)()>(&DigestMd5Access::ClientSimple), this},
        {SASL_CB_PASS, reinterpret_cast<int (*)()>(&DigestMd5Access::ClientPass), this},
        {SASL_CB_GETREALM, reinterpret_cast<int (*)()>(&DigestMd5Access::ClientRealm), this},
        {SASL_CB_LIST_END, nullptr, nullptr},
    };
    const std::string id(kSaslTokenServerId);
    rc = sasl_client_new(std::string(kSaslTokenProtocol).c_str(), id.c_str(), nullptr, nullptr, callbacks_.data(), 0,
                         &conn_);
    if (rc != SASL_OK) return Internal("cannot start a DIGEST-MD5 client: {}", sasl_errstring(rc, nullptr, nullptr));
    RETURN_IF_ERROR(AuthenticationOnly(conn_));
    const char* mech = nullptr;
    rc = sasl_client_start(conn_, std::string(kSaslTokenMechanism).c_str(), nullptr, &out, &len, &mech);
    if (rc != SASL_CONTINUE && rc != SASL_OK)
      return PermissionDenied("DIGEST-MD5 does not start: {}", sasl_errdetail(conn_));
    started_ = true;
  }
  rc = sasl_client_step(conn_, challenge.data(), static_cast<unsigned>(challenge.size()), nullptr, &out, &len);
  if (rc == SASL_OK) done_ = true;
  else if (rc != SASL_CONTINUE) return PermissionDenied("DIGEST-MD5 authentication failed: {}", sasl_errdetail(conn_));
  return Output(out, len);
}

}  // namespace cairn
