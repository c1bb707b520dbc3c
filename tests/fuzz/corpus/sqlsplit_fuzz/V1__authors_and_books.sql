-- A small lending library: the sample schema `make docs` documents into README.md.
CREATE TYPE book_format AS ENUM ('hardcover', 'paperback', 'ebook', 'audiobook');
COMMENT ON TYPE book_format IS 'How a copy of a book is published';

CREATE TABLE author (
    author_id   integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        varchar(200) NOT NULL,
    born        date,
    created_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE author IS 'People who wrote at least one book in the catalogue';
COMMENT ON COLUMN author.name IS 'Full name as printed on the cover';

CREATE TABLE book (
    book_id     integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    author_id   integer NOT NULL REFERENCES author (author_id) ON DELETE RESTRICT,
    title       text NOT NULL,
    isbn        char(13) UNIQUE,
    format      book_format NOT NULL DEFAULT 'paperback',
    price       numeric(8,2) CHECK (price >= 0)
);
COMMENT ON TABLE book IS 'One row per edition';
COMMENT ON COLUMN book.isbn IS 'ISBN-13, digits only';
CREATE INDEX book_author_id_idx ON book (author_id);
