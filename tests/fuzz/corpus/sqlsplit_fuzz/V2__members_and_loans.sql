CREATE TABLE member (
    member_id   integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email       text NOT NULL UNIQUE,
    tier        text NOT NULL DEFAULT 'standard' CHECK (tier IN ('standard', 'premium', 'staff'))
);
COMMENT ON TABLE member IS 'Library card holders';

CREATE TABLE loan (
    book_id     integer NOT NULL REFERENCES book (book_id),
    member_id   integer NOT NULL REFERENCES member (member_id) ON DELETE CASCADE,
    loaned_on   date NOT NULL DEFAULT current_date,
    returned_on date,
    PRIMARY KEY (book_id, member_id, loaned_on),
    CHECK (returned_on IS NULL OR returned_on >= loaned_on)
);
COMMENT ON TABLE loan IS 'Who borrowed which book when; open loans have no returned_on';
CREATE INDEX loan_member_id_idx ON loan (member_id);
