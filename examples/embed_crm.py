"""How a CRM embeds the engine: one call per turn, state stored as JSON with the deal.

    python examples/embed_crm.py
"""

from __future__ import annotations

import json

import engine

PACK = engine.load_pack("brokerage")  # load once per process; share it between requests
DATABASE: dict[str, str] = {}  # stands in for the CRM's own table of session snapshots


def on_customer_said(conversation_id: str, utterance: str, facts: dict) -> dict:
    stored = DATABASE.get(conversation_id)
    session = (PACK.restore(json.loads(stored)) if stored
               else PACK.session(conversation_id, facts=facts))
    recommendation = session.turn(utterance=utterance, facts=facts).to_dict()
    DATABASE[conversation_id] = json.dumps(session.snapshot(), ensure_ascii=False)
    return recommendation


if __name__ == "__main__":
    for said in ["我最近太忙了", "风险太大了吧", "还是太忙"]:
        rec = on_customer_said("c-42", said, {"customer.type": "business_owner"})
        for reply in rec["replies"]:
            print(f"{said} → {reply['reply']}: {reply['text']}")
