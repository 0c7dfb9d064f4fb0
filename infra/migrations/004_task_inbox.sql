-- The task inbox: every task with the person it falls to, resolved from its role in its scope
-- (the unit's head, the group stationed there, the round's office…), so lists per person and per
-- role read one view.
CREATE VIEW task_inbox AS
SELECT t.*,
  COALESCE(t.assignee_person_id,
    CASE t.assignee_role
      WHEN 'unitHead' THEN u.head_person_id
      WHEN 'partySecretary' THEN u.party_secretary_person_id
      WHEN 'leaderInCharge' THEN u.leader_in_charge_person_id
      WHEN 'inspectionGroup' THEN ru.group_leader_person_id
      WHEN 'responsible' THEN COALESCE(i.responsible_person_id, u.head_person_id)
      ELSE rc.person_id
    END) AS assignee_id
FROM tasks t
LEFT JOIN units u ON u.unit_id = t.unit_id
LEFT JOIN round_units ru ON ru.round_id = t.round_id AND ru.unit_id = t.unit_id
LEFT JOIN rectification_items i ON i.round_id = t.round_id AND i.unit_id = t.unit_id AND i.item_id = t.item_id
LEFT JOIN round_contacts rc ON rc.round_id = t.round_id AND rc.role = t.assignee_role;
