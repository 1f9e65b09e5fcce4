-- CreateEnum
CREATE TYPE "SensitiveCategory" AS ENUM ('LEGAL', 'CONSUMER_ASSOCIATION', 'DATA_PROTECTION', 'COMPLAINT_THREAT', 'DAMAGE_CLAIM', 'LOCAL_AUTHORITY');

-- AlterTable
ALTER TABLE "cases" ADD COLUMN     "sensitive" "SensitiveCategory";
