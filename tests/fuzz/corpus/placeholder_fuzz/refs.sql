CREATE ROLE r PASSWORD '${password}';
SELECT '${flyway:filename}', '${A.B:C-D}';
