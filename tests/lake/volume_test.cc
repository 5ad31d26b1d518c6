#include "lake/volume.h"

#include <gtest/gtest.h>

namespace homer::lake {
namespace {

TEST(Volume, CatalogNamingRule) {
  EXPECT_EQ(CatalogName("homer_lake", "default"), "homer_lake");
  EXPECT_EQ(CatalogName("homer_lake", "hot"), "homer_lake_hot");
  EXPECT_EQ(CatalogName("homer_lake", "cold"), "homer_lake_cold");
}

TEST(Volume, APostgresCatalogAttachesByItsDsnWithThePasswordInASecret) {
  config::VolumeConfig v;
  v.name = "hot";
  v.catalog_type = config::CatalogType::kPostgres;
  v.catalog_dsn = "host=db dbname=homer user=homer";
  v.catalog_password = "pa'ss";
  v.path = "/data/";
  const std::string attach = AttachSql(v, "homer_lake_hot", /*read_only=*/true);
  EXPECT_EQ(attach, "ATTACH 'ducklake:postgres:host=db dbname=homer user=homer' AS \"homer_lake_hot\" "
                    "(DATA_PATH '/data/', METADATA_PARAMETERS MAP {'SECRET': 'homer_lake_hot__catalog_password'}, "
                    "READ_ONLY)");
  EXPECT_EQ(PostgresSecretSql(v, "homer_lake_hot"),
            "CREATE OR REPLACE SECRET \"homer_lake_hot__catalog_password\" (TYPE postgres, PASSWORD 'pa''ss')");
  EXPECT_EQ(WithoutSecrets("failed for pa'ss at pa'ss", v), "failed for *** at ***");
  v.catalog_password.clear();  // libpq's own sources (PGPASSWORD, .pgpass): no secret named
  EXPECT_EQ(AttachSql(v, "c", false).find("METADATA_PARAMETERS"), std::string::npos);
}

TEST(Volume, ExtensionsAreLoadedOnlyForWhatTheVolumesNeed) {
  config::VolumeConfig sqlite_local, s3, postgres;
  s3.type = config::VolumeType::kS3;
  postgres.catalog_type = config::CatalogType::kPostgres;
  EXPECT_TRUE(VolumeExtensions({sqlite_local}).empty());
  EXPECT_EQ(VolumeExtensions({s3, sqlite_local, s3}), std::vector<std::string>{"httpfs"});
  EXPECT_EQ(VolumeExtensions({postgres, s3}), (std::vector<std::string>{"postgres_scanner", "httpfs"}));
}

}  // namespace
}  // namespace homer::lake
