-- Repeatable: re-applied whenever this file changes.
CREATE OR REPLACE FUNCTION open_loans(p_member integer) RETURNS bigint
    LANGUAGE sql STABLE
    AS $$ SELECT count(*) FROM loan WHERE member_id = p_member AND returned_on IS NULL $$;
COMMENT ON FUNCTION open_loans(integer) IS 'Books a member has not returned yet';

CREATE OR REPLACE VIEW available_book AS
    SELECT b.book_id, b.title, a.name AS author
    FROM book b JOIN author a USING (author_id)
    WHERE NOT EXISTS (SELECT 1 FROM loan l WHERE l.book_id = b.book_id AND l.returned_on IS NULL);
COMMENT ON VIEW available_book IS 'Books on the shelf right now';
