-- What a notice said besides its subject: the facts its template was rendered with (item title,
-- deadline, template data, link), so a notice can be printed again exactly as it was sent
-- (GET /api/notices/:id/print). Not in unit_visible_notices: a unit reads subjects only.
ALTER TABLE notices ADD COLUMN context jsonb;
