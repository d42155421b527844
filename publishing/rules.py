"""Who may run the publication steps: commission staff only; filing an objection is public."""

import rules

from accounts.rules import is_commission_staff

rules.add_perm("publishing.manage_publication", is_commission_staff)
rules.add_perm("publishing.answer_objection", is_commission_staff)
rules.add_perm("publishing.generate_notice", is_commission_staff)
