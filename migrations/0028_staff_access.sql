-- Staff administration: an admin changes a staff member's role or deactivates them from the app.
-- provider_role: the role the sign-in provider named at the person's last sign-in (null: it named none). Such a
-- role is replaced at every sign-in, so the app shows it as the provider's and changes only the others.
-- deactivated_at: when an admin took the person's access away from the staff page (null while active, and for anyone
-- deactivated before the page existed, when nobody recorded the time).
alter table staff_user add column provider_role text check (provider_role in ('admin', 'lead', 'viewer'));
alter table staff_user add column deactivated_at timestamptz;
-- The staff pages count the people each staff member owns the relationship with. Partial, so that imported people
-- without an owner add nothing to it.
create index person_owner_staff_idx on person (owner_staff_id) where owner_staff_id is not null and erased_at is null;
