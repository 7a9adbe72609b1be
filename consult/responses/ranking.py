"""The ranking form: a rank select per focus area and per goal, built from the draft."""

from __future__ import annotations

from flask_babel import gettext as _
from wtforms import SelectField
from wtforms import SubmitField
from wtforms.fields.choices import SelectChoice

from consult.drafts.models import ItemKind
from consult.drafts.services import Tree
from consult.forms import BaseForm
from consult.i18n import localized


def _rank_choices(cap: int) -> list[SelectChoice]:
    return [
        SelectChoice("", _("Not chosen")),
        *(SelectChoice(str(n), str(n)) for n in range(1, cap + 1)),
    ]


def ranking_form(tree: Tree, consultation, areas: list[int], goals: dict[int, list[int]]):
    """Build a rank select per focus area and goal, filled from the saved ranking."""

    class RankingForm(BaseForm):
        submit = SubmitField(_("Save the ranking"))

    data = {}
    for area in tree.focus_areas:
        area_id = area.item.id
        setattr(
            RankingForm,
            f"area_{area_id}",
            SelectField(
                localized(area.revision, "title")[0],
                choices=_rank_choices(consultation.max_ranked_focus_areas),
                default="",
                validate_choice=False,  # read_ranking checks, with a message beside the field
            ),
        )
        if area_id in areas:
            data[f"area_{area_id}"] = str(areas.index(area_id) + 1)
        for goal in area.children:
            if goal.item.kind is not ItemKind.GOAL:
                continue
            setattr(
                RankingForm,
                f"goal_{goal.item.id}",
                SelectField(
                    localized(goal.revision, "title")[0],
                    choices=_rank_choices(consultation.max_ranked_goals),
                    default="",
                    validate_choice=False,
                ),
            )
            if goal.item.id in goals.get(area_id, []):
                data[f"goal_{goal.item.id}"] = str(goals[area_id].index(goal.item.id) + 1)
    return RankingForm(data=data)


def read_ranking(form, tree: Tree) -> tuple[list[int], dict[int, list[int]]] | None:
    """Turn the selects into ordered ids; put an error beside a rank given twice."""
    ok = True

    def offered(field) -> bool:
        """The value must be one the select offers (a forged value gets a message, not a 500)."""
        nonlocal ok
        if field.data in (None, "") or field.data in {c.value for c in field.choices}:
            return True
        field.errors.append(_("Not a valid choice."))
        ok = False
        return False

    def ordered(fields):
        nonlocal ok
        chosen = [(int(f.data), item_id, f) for item_id, f in fields if f.data and offered(f)]
        seen = {}
        for rank, _item_id, f in chosen:
            if rank in seen:
                f.errors.append(_("Rank %(rank)d is given twice: give each rank once.", rank=rank))
                ok = False
            seen[rank] = f
        return [item_id for _rank, item_id, _f in sorted(chosen, key=lambda c: c[0])]

    areas = ordered([(a.item.id, form[f"area_{a.item.id}"]) for a in tree.focus_areas])
    goals = {}
    for area in tree.focus_areas:
        fields = [
            (g.item.id, form[f"goal_{g.item.id}"])
            for g in area.children
            if g.item.kind is ItemKind.GOAL
        ]
        chosen = ordered(fields)
        if chosen and area.item.id not in areas:
            for _item_id, f in fields:
                if f.data:
                    f.errors.append(_("Choose the focus area first, then its goals."))
            ok = False
        elif chosen:
            goals[area.item.id] = chosen
    return (areas, goals) if ok else None
