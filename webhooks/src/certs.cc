#include "limen/webhook/certs.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <memory>

namespace limen::webhook {
namespace {

template <class T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;

// The most recent error of this thread's queue (older entries may be left over from an
// unrelated call, e.g. a TLS client's shutdown), then clears the queue.
std::string OpenSslError(std::string_view what) {
  std::string out(what);
  const unsigned long e = ERR_peek_last_error();
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += ": ";
    out += buf;
  }
  ERR_clear_error();
  return out;
}

BioPtr MemBio(std::string_view pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

std::string BioString(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

StatusOr<X509Ptr> ReadCert(std::string_view pem) {
  BioPtr bio = MemBio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return Status::InvalidArgument(OpenSslError("no PEM certificate"));
  return cert;
}

StatusOr<KeyPtr> ReadKey(std::string_view pem) {
  BioPtr bio = MemBio(pem);
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return Status::InvalidArgument(OpenSslError("no PEM private key"));
  return key;
}

std::chrono::system_clock::time_point ToTimePoint(const ASN1_TIME* t) {
  struct tm tm {};
  ASN1_TIME_to_tm(t, &tm);
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

Status AddExt(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return Status::Internal(OpenSslError("extension " + value));
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return Status::Ok();
}

// A certificate skeleton: random serial, validity from now - 1 h, subject CN.
StatusOr<X509Ptr> NewCert(const std::string& cn, std::chrono::seconds validity,
                          std::chrono::system_clock::time_point now, EVP_PKEY* key) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  const time_t start = std::chrono::system_clock::to_time_t(now) - 3600;
  const time_t end = std::chrono::system_clock::to_time_t(now) + validity.count();
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), start);
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), end);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_pubkey(cert.get(), key);
  return cert;
}

StatusOr<KeyPair> Finish(X509* cert, EVP_PKEY* key, EVP_PKEY* signer) {
  if (X509_sign(cert, signer, EVP_sha256()) == 0) {
    return Status::Internal(OpenSslError("signing the certificate"));
  }
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  BioPtr key_bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(cert_bio.get(), cert);
  PEM_write_bio_PrivateKey(key_bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return KeyPair{BioString(cert_bio.get()), BioString(key_bio.get())};
}

// The subjectAltName DNS and IP entries of `cert`.
void ReadSans(X509* cert, CertInfo& info) {
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) {
      const ASN1_IA5STRING* dns = name->d.dNSName;
      info.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                  static_cast<size_t>(ASN1_STRING_length(dns)));
    } else if (name->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = name->d.iPAddress;
      const int len = ASN1_STRING_length(ip);
      char buf[INET6_ADDRSTRLEN] = {};
      if ((len == 4 || len == 16) &&
          inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(ip), buf, sizeof buf)) {
        info.ip_addresses.emplace_back(buf);
      }
    }
  }
  GENERAL_NAMES_free(names);
}

}  // namespace

StatusOr<KeyPair> GenerateCa(const std::string& common_name, std::chrono::seconds validity,
                             std::chrono::system_clock::time_point now) {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return Status::Internal(OpenSslError("generating a P-256 key"));
  LIMEN_ASSIGN_OR_RETURN(X509Ptr cert, NewCert(common_name, validity, now, key.get()));
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  LIMEN_RETURN_IF_ERROR(AddExt(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE"));
  LIMEN_RETURN_IF_ERROR(AddExt(cert.get(), cert.get(), NID_key_usage,
                               "critical,keyCertSign,cRLSign,digitalSignature"));
  LIMEN_RETURN_IF_ERROR(AddExt(cert.get(), cert.get(), NID_subject_key_identifier, "hash"));
  return Finish(cert.get(), key.get(), key.get());
}

StatusOr<KeyPair> IssueServingCert(const KeyPair& ca, const std::string& common_name,
                                   const std::vector<std::string>& dns_names,
                                   const std::vector<std::string>& ip_addresses,
                                   std::chrono::seconds validity,
                                   std::chrono::system_clock::time_point now) {
  LIMEN_ASSIGN_OR_RETURN(X509Ptr ca_cert, ReadCert(ca.cert_pem));
  LIMEN_ASSIGN_OR_RETURN(KeyPtr ca_key, ReadKey(ca.key_pem));
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return Status::Internal(OpenSslError("generating a P-256 key"));
  LIMEN_ASSIGN_OR_RETURN(X509Ptr cert, NewCert(common_name, validity, now, key.get()));
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get()));
  std::string san;
  for (const auto& d : dns_names) san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
  for (const auto& ip : ip_addresses) san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
  if (san.empty()) return Status::InvalidArgument("a serving certificate needs a DNS name or IP");
  LIMEN_RETURN_IF_ERROR(
      AddExt(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  LIMEN_RETURN_IF_ERROR(AddExt(cert.get(), ca_cert.get(), NID_key_usage,
                               "critical,digitalSignature,keyEncipherment"));
  LIMEN_RETURN_IF_ERROR(AddExt(cert.get(), ca_cert.get(), NID_ext_key_usage, "serverAuth"));
  LIMEN_RETURN_IF_ERROR(AddExt(cert.get(), ca_cert.get(), NID_subject_alt_name, san));
  LIMEN_RETURN_IF_ERROR(AddExt(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid"));
  return Finish(cert.get(), key.get(), ca_key.get());
}

StatusOr<CertInfo> InspectCertificate(std::string_view cert_pem) {
  LIMEN_ASSIGN_OR_RETURN(X509Ptr cert, ReadCert(cert_pem));
  CertInfo info;
  info.not_before = ToTimePoint(X509_get0_notBefore(cert.get()));
  info.not_after = ToTimePoint(X509_get0_notAfter(cert.get()));
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert.get()), 0, XN_FLAG_RFC2253);
  info.subject = BioString(bio.get());
  info.is_ca = X509_check_ca(cert.get()) != 0;
  ReadSans(cert.get(), info);
  return info;
}

Status CheckIssuedBy(std::string_view cert_pem, std::string_view ca_cert_pem) {
  LIMEN_ASSIGN_OR_RETURN(X509Ptr cert, ReadCert(cert_pem));
  LIMEN_ASSIGN_OR_RETURN(X509Ptr ca, ReadCert(ca_cert_pem));
  if (X509_check_issued(ca.get(), cert.get()) != X509_V_OK) {
    ERR_clear_error();
    return Status::InvalidArgument("the certificate's issuer is not this CA");
  }
  EVP_PKEY* ca_key = X509_get0_pubkey(ca.get());
  if (ca_key == nullptr || X509_verify(cert.get(), ca_key) != 1) {
    return Status::InvalidArgument(OpenSslError("the certificate is not signed by this CA's key"));
  }
  return Status::Ok();
}

StatusOr<std::string> NormalizeIp(std::string_view ip) {
  const std::string text(ip);
  unsigned char bin[16];
  char buf[INET6_ADDRSTRLEN] = {};
  for (int family : {AF_INET, AF_INET6}) {
    if (inet_pton(family, text.c_str(), bin) == 1 && inet_ntop(family, bin, buf, sizeof buf)) {
      return std::string(buf);
    }
  }
  return Status::InvalidArgument("\"" + text + "\" is not an IP address");
}

Status CheckKeyPair(std::string_view cert_pem, std::string_view key_pem) {
  LIMEN_ASSIGN_OR_RETURN(X509Ptr cert, ReadCert(cert_pem));
  LIMEN_ASSIGN_OR_RETURN(KeyPtr key, ReadKey(key_pem));
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return Status::InvalidArgument(OpenSslError("the private key does not match the certificate"));
  }
  return Status::Ok();
}

}  // namespace limen::webhook
