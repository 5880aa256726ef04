"""`entraide demo`: members and posts drawn from real mutual-aid situations, in French
and English, loaded through the public HTTP API like any client would.

Loading twice changes nothing: the first demo member already registered means the
demo is there.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from shared.runtime.auth import Role, TokenSigner

DEMO_PASSWORD = "entraide-demo-2026"
DEMO_DOMAIN = "demo.entraide.example"

# Around the Parc de la Villette (a festival), and a few other places in France.
VILLETTE = (48.8937, 2.3934)
GARE_DE_LYON = (48.8443, 2.3744)
LYON = (45.7640, 4.8357)
MARSEILLE = (43.2965, 5.3698)


@dataclass(frozen=True)
class DemoMember:
    handle: str
    name: str
    language: str
    home: tuple[float, float]
    interests: tuple[str, ...] = ()
    consent: bool = False

    @property
    def email(self) -> str:
        return f"{self.handle}@{DEMO_DOMAIN}"


def _near(point: tuple[float, float], north_m: float, east_m: float = 0.0):
    return (point[0] + north_m / 111_195, point[1] + east_m / 73_000)


MEMBERS = (
    DemoMember("lea", "Léa", "fr", _near(VILLETTE, 120), ("find_a_person", "solidarity"), True),
    DemoMember("amine", "Amine", "fr", _near(VILLETTE, -80, 60), ("tickets_events",), True),
    DemoMember("sam", "Sam", "en", _near(VILLETTE, 300, -150), (), True),
    DemoMember("ines", "Inès", "fr", _near(GARE_DE_LYON, 0), ("housing", "solidarity"), True),
    DemoMember("karim", "Karim", "fr", _near(GARE_DE_LYON, 400, 200), ("jobs",)),
    DemoMember("chloe", "Chloé", "fr", LYON, ("vehicles",)),
    DemoMember("tom", "Tom", "en", _near(LYON, 800, -300), ("vehicles", "goods")),
    DemoMember("nadia", "Nadia", "fr", MARSEILLE, ("jobs", "services")),
    DemoMember("hugo", "Hugo", "fr", _near(MARSEILLE, -500, 400), ("jobs",)),
    DemoMember(
        "asso",
        "Le Chaudron (association)",
        "fr",
        _near(GARE_DE_LYON, -300),
        ("housing", "solidarity"),
    ),
    DemoMember("maya", "Maya", "en", _near(VILLETTE, 2_500, 900), ("tickets_events",)),
    DemoMember("yanis", "Yanis", "fr", _near(VILLETTE, -600, -700), ("find_a_person",), True),
)

# (author handle, post fields): offers and requests that the matcher pairs up, and two
# urgent requests that raise alerts.
POSTS = (
    ("amine", dict(kind="request", category="tickets_events", language="fr",
                   title="Cherche 2 places pour le concert de samedi à la Villette",
                   body="Au prix d'achat, pas plus. Je peux venir les chercher.",
                   location=_near(VILLETTE, -80, 60), radius_m=5_000)),
    ("maya", dict(kind="offer", category="tickets_events", language="en",
                  title="Two tickets for Saturday's concert at la Villette, face value",
                  body="Can't make it anymore. Selling at what I paid, no markup.",
                  location=_near(VILLETTE, 2_500, 900), radius_m=10_000)),
    ("chloe", dict(kind="request", category="vehicles", language="fr",
                   title="Besoin d'une voiture pour le week-end (déménagement)",
                   body="Du vendredi soir au dimanche, je paie l'essence.",
                   location=LYON, radius_m=15_000)),
    ("tom", dict(kind="offer", category="vehicles", language="en",
                 title="Car available this weekend in Lyon",
                 body="Small car, I don't need it Saturday and Sunday.",
                 location=_near(LYON, 800, -300), radius_m=10_000)),
    ("karim", dict(kind="request", category="jobs", language="fr",
                   title="Je cherche un travail en cuisine, disponible tout de suite",
                   body="Deux ans d'expérience en commis, permis B.",
                   location=_near(GARE_DE_LYON, 400, 200), radius_m=20_000)),
    ("nadia", dict(kind="offer", category="jobs", language="fr",
                   title="Restaurant cherche commis de cuisine, CDD 3 mois",
                   body="Marseille, Vieux-Port. Débutants bienvenus.",
                   location=MARSEILLE, radius_m=20_000)),
    ("hugo", dict(kind="request", category="jobs", language="fr",
                  title="Cherche un job d'été à Marseille",
                  body="Étudiant, disponible juillet et août, cuisine ou service.",
                  location=_near(MARSEILLE, -500, 400), radius_m=15_000)),
    ("sam", dict(kind="offer", category="goods", language="en",
                 title="Giving away a sofa and a small fridge",
                 body="Must go before the end of the month. Pick-up only.",
                 location=_near(VILLETTE, 300, -150), radius_m=8_000)),
    ("asso", dict(kind="offer", category="housing", language="fr",
                  title="Hébergement d'urgence : 3 lits ce soir",
                  body="Accueil à partir de 19 h, repas chaud. Appelez avant de venir.",
                  location=_near(GARE_DE_LYON, -300), radius_m=5_000)),
    ("ines", dict(kind="request", category="housing", language="fr", urgency="urgent",
                  title="Un lit pour un homme à la rue ce soir, près de Gare de Lyon",
                  body="Il dort devant la gare, il fait 2 °C cette nuit. Qui a une place ?",
                  location=_near(GARE_DE_LYON, 0), radius_m=3_000)),
    ("yanis", dict(kind="request", category="find_a_person", language="fr", urgency="urgent",
                   title="J'ai perdu mon petit frère près de la grande scène",
                   body="12 ans, casquette rouge, veste bleue. Il s'appelle Noé.",
                   location=_near(VILLETTE, 30), radius_m=1_000)),
)  # fmt: skip


def _post_body(fields: dict) -> dict:
    lat, lon = fields["location"]
    return {**fields, "location": {"lat": lat, "lon": lon}}


def load_demo(posts_url: str, signer: TokenSigner) -> dict:
    """Load the demo through the posts API; returns what was done.

    Members register through the API; their posts are made with tokens the operator's
    tool signs with the service's key (``signer``), as logging a dozen members in from
    one address would trip the log-in rate limit.
    """
    with httpx.Client(base_url=posts_url, timeout=30) as client:
        ids = {}
        names = {m.handle: m.name for m in MEMBERS}
        for m in MEMBERS:
            body = {
                "email": m.email, "password": DEMO_PASSWORD, "display_name": m.name,
                "languages": [m.language], "interests": list(m.interests),
                "home": {"lat": m.home[0], "lon": m.home[1]}, "urgent_alerts_consent": m.consent,
            }  # fmt: skip
            response = client.post("/auth/register", json=body)
            if response.status_code == 409 and m is MEMBERS[0]:
                return {"members": 0, "posts": 0, "already_loaded": True}
            response.raise_for_status()
            ids[m.handle] = response.json()["id"]
        for handle, fields in POSTS:
            # The name in the token: the posts' events carry it, so they show named live.
            token = signer.issue(ids[handle], Role.MEMBER, name=names[handle])
            response = client.post(
                "/posts", json=_post_body(fields), headers={"Authorization": f"Bearer {token}"}
            )
            response.raise_for_status()
        return {"members": len(MEMBERS), "posts": len(POSTS), "already_loaded": False}
