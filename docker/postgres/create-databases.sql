-- One database per service (run once, when the PostgreSQL volume is created).
CREATE DATABASE polycode_monolith;
CREATE DATABASE polycode_mailer;
CREATE DATABASE polycode_shop;
CREATE DATABASE polycode_gateway;
CREATE DATABASE keycloak;
