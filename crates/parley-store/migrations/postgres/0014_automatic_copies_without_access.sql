-- Automatic copies receive the new request only, never the conversation (guide FAQ e). They
-- used to be granted their network member's access: a manufacturer who listed its own address
-- in a distributor's automatic copies could read that distributor's thread. Those grants end
-- here, with the masked addresses they came with. (Numbered alike on both backends from here
-- on: SQLite's 0013 has no PostgreSQL counterpart.)
UPDATE relay_addresses SET revoked_at = CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT)
 WHERE revoked_at IS NULL AND holder_kind = 'member'
   AND EXISTS (
       SELECT 1 FROM grants g
         JOIN members m ON m.id = g.member_id
         JOIN threads t ON t.request_id = g.request_id AND t.organization_id = g.party_id
         JOIN events e ON e.request_id = g.request_id
        WHERE g.revoked_at IS NULL AND g.kind = 'cc'
          AND t.id = relay_addresses.thread_id AND m.email = relay_addresses.email
          AND e.kind = 'cc_added' AND e.data LIKE '%"automatic":true%'
          AND e.data LIKE '%"email":"' || m.email || '"%');
UPDATE grants SET revoked_at = CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT)
 WHERE revoked_at IS NULL AND kind = 'cc'
   AND EXISTS (
       SELECT 1 FROM members m
         JOIN events e ON e.request_id = grants.request_id
        WHERE m.id = grants.member_id
          AND e.kind = 'cc_added' AND e.data LIKE '%"automatic":true%'
          AND e.data LIKE '%"email":"' || m.email || '"%');
