#include "common/gssapi.h"

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

namespace cairn {

namespace {

// krb5's message for err ("" for 0).
std::string Krb5ErrorText(krb5_context ctx, krb5_error_code err) {
  if (err == 0) return "";
  const char* message = krb5_get_error_message(ctx, err);
  std::string text = message;
  krb5_free_error_message(ctx, message);
  return text;
}

std::string GssMessage(OM_uint32 code, int type) {
  std::string out;
  OM_uint32 ctx = 0, minor = 0;
  do {
    gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
    if (gss_display_status(&minor, code, type, GSS_C_NO_OID, &ctx, &text) != GSS_S_COMPLETE) break;
    if (!out.empty()) out += "; ";
    out.append(static_cast<const char*>(text.value), text.length);
    gss_release_buffer(&minor, &text);
  } while (ctx != 0);
  return out;
}

Status GssError(std::string_view what, OM_uint32 major, OM_uint32 minor) {
  std::string text = GssMessage(major, GSS_C_GSS_CODE);
  if (minor != 0) text += " (" + GssMessage(minor, GSS_C_MECH_CODE) + ")";
  return PermissionDenied("Kerberos {}: {}", what, text);
}

gss_buffer_desc Buffer(std::string_view s) {
  return gss_buffer_desc{s.size(), const_cast<char*>(s.data())};
}

std::string Take(gss_buffer_desc* b) {
  std::string out(static_cast<const char*>(b->value), b->length);
  OM_uint32 minor = 0;
  gss_release_buffer(&minor, b);
  return out;
}

Result<gss_name_t> ImportName(std::string_view text, gss_OID type) {
  OM_uint32 minor = 0;
  gss_name_t name = GSS_C_NO_NAME;
  gss_buffer_desc buf = Buffer(text);
  OM_uint32 major = gss_import_name(&minor, &buf, type, &name);
  if (GSS_ERROR(major)) return GssError(fmt::format("cannot use the name {}", text), major, minor);
  return name;
}

}  // namespace

struct GssContext::Impl {
  bool acceptor = false;
  gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
  gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
  gss_name_t target = GSS_C_NO_NAME;  // initiator only
  ~Impl() {
    OM_uint32 minor = 0;
    if (ctx != GSS_C_NO_CONTEXT) gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
    if (cred != GSS_C_NO_CREDENTIAL) gss_release_cred(&minor, &cred);
    if (target != GSS_C_NO_NAME) gss_release_name(&minor, &target);
  }
};

GssContext::GssContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GssContext::~GssContext() = default;

Result<std::unique_ptr<GssContext>> GssContext::Acceptor(const std::string& principal, const std::string& keytab) {
  {
    // The keytab is process-wide state in MIT GSSAPI; every acceptor of a process uses
    // one, registered when it first appears (not again on every connection).
    static std::mutex mu;
    static std::string registered;
    std::lock_guard lock(mu);
    if (registered != keytab) {
      if (krb5_gss_register_acceptor_identity(keytab.c_str()) != GSS_S_COMPLETE)
        return PermissionDenied("Kerberos: cannot use the keytab {}", keytab);
      registered = keytab;
    }
  }
  auto impl = std::make_unique<Impl>();
  impl->acceptor = true;
  ASSIGN_OR_RETURN(gss_name_t name, ImportName(principal, GSS_KRB5_NT_PRINCIPAL_NAME));
  OM_uint32 minor = 0;
  OM_uint32 major = gss_acquire_cred(&minor, name, GSS_C_INDEFINITE, GSS_C_NO_OID_SET, GSS_C_ACCEPT, &impl->cred,
                                     nullptr, nullptr);
  OM_uint32 ignored = 0;
  gss_release_name(&ignored, &name);
  if (GSS_ERROR(major)) return GssError(fmt::format("no key for {} in {}", principal, keytab), major, minor);
  return std::unique_ptr<GssContext>(new GssContext(std::move(impl)));
}

Result<std::unique_ptr<GssContext>> GssContext::Initiator(const std::string& service, const std::string& host) {
  auto impl = std::make_unique<Impl>();
  ASSIGN_OR_RETURN(impl->target, ImportName(service + "@" + host, GSS_C_NT_HOSTBASED_SERVICE));
  return std::unique_ptr<GssContext>(new GssContext(std::move(impl)));
}

Result<std::string> GssContext::Step(std::string_view in) {
  if (established_) return Internal("the Kerberos context is already established");
  OM_uint32 minor = 0, major = 0;
  gss_buffer_desc in_buf = Buffer(in);
  gss_buffer_desc out_buf = GSS_C_EMPTY_BUFFER;
  if (impl_->acceptor) {
    gss_name_t client = GSS_C_NO_NAME;
    major = gss_accept_sec_context(&minor, &impl_->ctx, impl_->cred, &in_buf, GSS_C_NO_CHANNEL_BINDINGS, &client,
                                   nullptr, &out_buf, nullptr, nullptr, nullptr);
    if (GSS_ERROR(major)) {
      OM_uint32 ignored = 0;
      gss_release_buffer(&ignored, &out_buf);
      return GssError("authentication failed", major, minor);
    }
    if (major == GSS_S_COMPLETE) {
      gss_buffer_desc name = GSS_C_EMPTY_BUFFER;
      OM_uint32 m2 = 0;
      if (!GSS_ERROR(gss_display_name(&m2, client, &name, nullptr))) peer_ = Take(&name);
      gss_release_name(&m2, &client);
      established_ = true;
    }
  } else {
    major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &impl_->ctx, impl_->target, GSS_C_NO_OID,
                                 GSS_C_MUTUAL_FLAG | GSS_C_INTEG_FLAG, 0, GSS_C_NO_CHANNEL_BINDINGS,
                                 in.empty() ? GSS_C_NO_BUFFER : &in_buf, nullptr, &out_buf, nullptr, nullptr);
    if (GSS_ERROR(major)) {
      OM_uint32 ignored = 0;
      gss_release_buffer(&ignored, &out_buf);
      return GssError("login failed (is there a ticket? run kinit)", major, minor);
    }
    established_ = major == GSS_S_COMPLETE;
  }
  return Take(&out_buf);
}

Result<std::string> GssContext::Wrap(std::string_view message) {
  OM_uint32 minor = 0;
  gss_buffer_desc in = Buffer(message);
  gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
  OM_uint32 major = gss_wrap(&minor, impl_->ctx, /*conf_req=*/0, GSS_C_QOP_DEFAULT, &in, nullptr, &out);
  if (GSS_ERROR(major)) return GssError("wrap", major, minor);
  return Take(&out);
}

Result<std::string> GssContext::Unwrap(std::string_view token) {
  OM_uint32 minor = 0;
  gss_buffer_desc in = Buffer(token);
  gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
  OM_uint32 major = gss_unwrap(&minor, impl_->ctx, &in, &out, nullptr, nullptr);
  if (GSS_ERROR(major)) return GssError("unwrap", major, minor);
  return Take(&out);
}

Result<std::string> DefaultKerberosRealm() {
  krb5_context ctx = nullptr;
  if (krb5_init_context(&ctx) != 0) return PermissionDenied("Kerberos: cannot read krb5.conf");
  char* realm = nullptr;
  krb5_error_code err = krb5_get_default_realm(ctx, &realm);
  std::string out = err == 0 ? realm : "";
  if (realm) krb5_free_default_realm(ctx, realm);
  krb5_free_context(ctx);
  if (out.empty()) return PermissionDenied("Kerberos: krb5.conf names no default_realm");
  return out;
}

std::string NoSecurityLayerOffer() { return std::string{static_cast<char>(kSaslNoSecurityLayer), 0, 0, 0}; }

Result<std::string> ChooseNoSecurityLayer(std::string_view offer) {
  if (offer.size() != 4) return ProtocolError("SASL GSSAPI security layer offer of {} bytes, not 4", offer.size());
  if ((static_cast<unsigned char>(offer[0]) & kSaslNoSecurityLayer) == 0)
    return PermissionDenied("the namenode requires a SASL security layer (integrity or privacy), which Cairn's "
                            "client does not implement; set hadoop.rpc.protection=authentication");
  return NoSecurityLayerOffer();
}

Status CheckNoSecurityLayerChosen(std::string_view choice) {
  if (choice.size() < 4) return ProtocolError("SASL GSSAPI security layer choice of {} bytes", choice.size());
  if (static_cast<unsigned char>(choice[0]) != kSaslNoSecurityLayer)
    return PermissionDenied("the client chose SASL security layer {:#x}; only authentication (no layer) is offered",
                            static_cast<unsigned char>(choice[0]));
  return Status::OK();
}

Result<std::string> TicketCachePrincipal() {
  krb5_context ctx = nullptr;
  if (krb5_init_context(&ctx) != 0) return PermissionDenied("Kerberos: cannot read krb5.conf");
  krb5_ccache cache = nullptr;
  krb5_principal principal = nullptr;
  char* name = nullptr;
  std::string out;
  krb5_error_code err = krb5_cc_default(ctx, &cache);
  if (err == 0) err = krb5_cc_get_principal(ctx, cache, &principal);
  if (err == 0) err = krb5_unparse_name(ctx, principal, &name);
  const std::string why = Krb5ErrorText(ctx, err);
  if (err == 0) out = name;
  if (name) krb5_free_unparsed_name(ctx, name);
  if (principal) krb5_free_principal(ctx, principal);
  if (cache) krb5_cc_close(ctx, cache);
  krb5_free_context(ctx);
  if (err != 0) return PermissionDenied("no Kerberos ticket (run kinit): {}", why);
  return out;
}

Result<int64_t> KinitFromKeytab(const std::string& principal, const std::string& keytab, const std::string& ccache) {
  krb5_context ctx = nullptr;
  if (krb5_init_context(&ctx) != 0) return PermissionDenied("Kerberos: cannot read krb5.conf");
  krb5_principal client = nullptr;
  krb5_keytab kt = nullptr;
  krb5_ccache cache = nullptr;
  krb5_creds creds;
  std::memset(&creds, 0, sizeof creds);
  bool have_creds = false;
  krb5_error_code err = krb5_parse_name(ctx, principal.c_str(), &client);
  if (err == 0) err = krb5_kt_resolve(ctx, keytab.c_str(), &kt);
  if (err == 0) err = krb5_get_init_creds_keytab(ctx, &creds, client, kt, 0, nullptr, nullptr);
  int64_t lifetime_ms = 0;
  if (err == 0) {
    have_creds = true;
    lifetime_ms = (static_cast<int64_t>(creds.times.endtime) - static_cast<int64_t>(creds.times.starttime)) * 1000;
  }
  if (err == 0) err = krb5_cc_resolve(ctx, ccache.c_str(), &cache);
  if (err == 0) err = krb5_cc_initialize(ctx, cache, client);
  if (err == 0) err = krb5_cc_store_cred(ctx, cache, &creds);
  const std::string why = Krb5ErrorText(ctx, err);
  if (have_creds) krb5_free_cred_contents(ctx, &creds);
  if (cache) krb5_cc_close(ctx, cache);
  if (kt) krb5_kt_close(ctx, kt);
  if (client) krb5_free_principal(ctx, client);
  krb5_free_context(ctx);
  if (err != 0) return PermissionDenied("Kerberos login of {} from {} failed: {}", principal, keytab, why);
  // Set once: other threads read the environment.
  const char* current = std::getenv("KRB5CCNAME");
  if (current == nullptr || ccache != current) ::setenv("KRB5CCNAME", ccache.c_str(), 1);
  return lifetime_ms;
}

Result<std::string> ResolveServicePrincipal(std::string principal) {
  size_t host = principal.find("_HOST");
  if (host != std::string::npos) {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return IoError("gethostname failed");
    principal.replace(host, 5, name);
  }
  if (principal.find('@') == std::string::npos) {
    ASSIGN_OR_RETURN(std::string realm, DefaultKerberosRealm());
    principal += "@" + realm;
  }
  return principal;
}

}  // namespace cairn
