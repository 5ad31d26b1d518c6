// The Python duckdb module does not export DuckDB's SHA256State, which Airport uses to check the
// catalog's hashes: the same interface over OpenSSL (lowercase hex, as DuckDB's).
#include <openssl/evp.h>

#include <cstdio>

#include "mbedtls_wrapper.hpp"

namespace duckdb_mbedtls {

MbedTlsWrapper::SHA256State::SHA256State() : sha_context(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX *>(sha_context), EVP_sha256(), nullptr);
}

MbedTlsWrapper::SHA256State::~SHA256State() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX *>(sha_context)); }

void MbedTlsWrapper::SHA256State::AddString(const std::string &str) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX *>(sha_context), str.data(), str.size());
}

void MbedTlsWrapper::SHA256State::AddBytes(duckdb::data_ptr_t input_bytes, duckdb::idx_t len) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX *>(sha_context), input_bytes, len);
}

void MbedTlsWrapper::SHA256State::AddBytes(duckdb::const_data_ptr_t input_bytes, duckdb::idx_t len) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX *>(sha_context), input_bytes, len);
}

void MbedTlsWrapper::SHA256State::FinishHex(char *out) {
  unsigned char hash[SHA256_HASH_LENGTH_BYTES];
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX *>(sha_context), hash, nullptr);
  for (size_t i = 0; i < SHA256_HASH_LENGTH_BYTES; i++) {
    std::snprintf(out + 2 * i, 3, "%02x", hash[i]);
  }
}

}  // namespace duckdb_mbedtls
