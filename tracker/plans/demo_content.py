"""The demo plan's content: a county community safety agreement and a year of progress.

Priorities, lead roles, themes and partner agencies follow the shape of a real county
agreement; actions, progress notes and figures are illustrative and written for the demo.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NotRequired, TypedDict


class ActionSpec(TypedDict):
    title: str
    owner: str
    partners: list[str]
    themes: list[str]
    target: date
    updates: list[tuple[str, str] | None]  # one entry per reporting period
    start: NotRequired[date]
    state: NotRequired[str]


# name, unit, polarity, source, this year's values per period, last year's for the same periods
IndicatorSpec = tuple[str, str, str, str, list[int], list[int]]


class PrioritySpec(TypedDict):
    name: str
    lead_role: str
    includes: str
    leads: list[str]
    actions: list[ActionSpec]
    indicators: list[IndicatorSpec]


PLAN_NAME = "Kent Community Safety Agreement"
PLAN_DESCRIPTION = (
    "The county's shared community safety priorities, agreed by the responsible authorities "
    "and refreshed each April. Each priority has a lead and a rolling action plan."
)
VERSION: dict[str, Any] = {
    "version_number": 6,
    "label": "2026/27",
    "effective_from": date(2026, 4, 1),
    "change_log": (
        "Effective date changed to April 2026. Priority leads confirmed. Completed actions and "
        "those now part of everyday business removed; outstanding actions carried forward."
    ),
}

# key: (name, short name)
ORGANISATIONS = {
    "kcc": ("Kent County Council", "KCC"),
    "police": ("Kent Police", "Kent Police"),
    "fire": ("Kent Fire and Rescue Service", "KFRS"),
    "nhs": ("NHS Kent and Medway", "NHS K&M"),
    "probation": ("Probation Service (Kent, Surrey and Sussex)", "Probation"),
    "pcc": ("Office of the Kent Police and Crime Commissioner", "OPCC"),
    "kcst": ("Kent Community Safety Team", "KCST"),
    "vru": ("Kent and Medway Violence Reduction Unit", "VRU"),
    "medway": ("Medway Council", "Medway"),
    "maidstone": ("Maidstone Borough Council", "Maidstone BC"),
    "thanet": ("Thanet District Council", "Thanet DC"),
}

# key: (email, name, role, organisation key, password?)  Only accounts with a password can
# sign in; the others are named authors of past updates.
USERS = {
    "admin": ("admin@example.org", "Alex Morgan", "admin", "kcc", True),
    "coordinator": ("coordinator@example.org", "Sam Patel", "coordinator", "kcst", True),
    "police_lead": ("lead.police@example.org", "Jordan Reid", "lead", "police", True),
    "council_lead": ("lead.council@example.org", "Priya Shah", "lead", "kcc", True),
    "viewer": ("viewer@example.org", "Chris Evans", "viewer", "maidstone", True),
    "da_lead": ("da.lead@example.org", "Morgan Lee", "lead", "kcc", False),
    "road_lead": ("road.lead@example.org", "Dana Okafor", "lead", "fire", False),
}

# Printed by `make run` for trying the demo; only demo accounts use it.
DEMO_PASSWORD = "amber-lantern-orchard-42"  # noqa: S105

THEMES = {
    "early": "Early intervention, prevention and education",
    "quality": "Improve quality of life and enhance community resilience",
    "mental": "Support mental health and wellbeing",
    "reoffend": "Reduce re-offending and support victims",
    "covid": "Response and recovery from the COVID-19 pandemic",
}

# (name, start, end, due, open?)
PERIODS = [
    ("Apr–May 2026", date(2026, 4, 1), date(2026, 5, 31), date(2026, 6, 5), False),
    ("Jun–Jul 2026", date(2026, 6, 1), date(2026, 7, 31), date(2026, 8, 7), False),
    ("Aug–Sep 2026", date(2026, 8, 1), date(2026, 9, 30), date(2026, 10, 7), False),
    ("Oct–Nov 2026", date(2026, 10, 1), date(2026, 11, 30), date(2026, 12, 4), True),
]

R, A, G = "red", "amber", "green"

# Each priority: name, lead role, what it includes, lead user keys, actions, indicators.
# Each action: title, owner, partners, themes, target date, final state, and one entry per
# reporting period: (RAG, progress note) or None when no update was given that period.
PRIORITIES: list[PrioritySpec] = [
    {
        "name": "Domestic Abuse",
        "lead_role": "Chair of the Domestic Abuse and Sexual Violence Executive Group",
        "includes": "Domestic abuse in all its forms, including coercive control and stalking",
        "leads": ["da_lead"],
        "actions": [
            {
                "title": "Commission and manage domestic homicide reviews for the county's partnerships",
                "owner": "kcst",
                "partners": ["police", "nhs", "kcc"],
                "themes": ["reoffend", "early"],
                "target": date(2027, 3, 31),
                "updates": [
                    (
                        G,
                        "Two new reviews commissioned after referrals in April. Independent chairs appointed for both within the statutory timescale.",
                    ),
                    (
                        G,
                        "Panel meetings held for both new reviews. One overview report sent to the Home Office quality assurance panel.",
                    ),
                    (
                        A,
                        "Home Office feedback on one report asks for more on the perpetrator's contact with health services; redrafting is adding about eight weeks.",
                    ),
                    (
                        A,
                        "Revised report agreed by the panel. Publication now planned for January, once the family has seen the final version.",
                    ),
                ],
            },
            {
                "title": "Share learning from published reviews with frontline practitioners",
                "owner": "kcst",
                "partners": ["police", "nhs", "fire"],
                "themes": ["early", "mental"],
                "target": date(2027, 3, 31),
                "updates": [
                    (G, "Learning briefing drafted from the three reviews published last year."),
                    (
                        G,
                        "Briefing sent to 640 practitioners; a lessons-learned webinar is booked for September.",
                    ),
                    (
                        G,
                        "Webinar delivered to 180 attendees; 91% rated it good or excellent in the feedback survey.",
                    ),
                    None,
                ],
            },
            {
                "title": "Refresh the domestic abuse services website and its service directory",
                "owner": "kcst",
                "partners": ["kcc", "medway"],
                "themes": ["early", "reoffend"],
                "target": date(2026, 11, 30),
                "state": "completed",
                "updates": [
                    (
                        A,
                        "Supplier chosen for the accessibility fixes; user testing with survivors' groups still to be arranged.",
                    ),
                    (
                        G,
                        "Two rounds of user testing done; the directory now lists 96 local services.",
                    ),
                    (
                        G,
                        "New site live in September with a quick-exit button on every page and the professionals' section rebuilt.",
                    ),
                    (
                        G,
                        "Visits up 35% on last autumn. Complete: upkeep of the directory is now part of the team's routine work.",
                    ),
                ],
            },
            {
                "title": "Support the local partnership board to meet the safe accommodation duty",
                "owner": "kcc",
                "partners": ["maidstone", "thanet", "medway"],
                "themes": ["reoffend", "quality"],
                "target": date(2027, 3, 31),
                "updates": [
                    (
                        A,
                        "Needs assessment refresh under way; district housing data for two areas is late.",
                    ),
                    (
                        R,
                        "Refuge capacity in the east of the county is below assessed need and a provider has served notice on one scheme.",
                    ),
                    (
                        R,
                        "Interim places found through a neighbouring county; the board is asking for a commissioning decision in the next period.",
                    ),
                    (
                        A,
                        "Commissioning decision taken: eight new dispersed units funded from April. Risk reduced but not yet resolved.",
                    ),
                ],
            },
            {
                "title": "Review how high-risk case conferences run across the county",
                "owner": "police",
                "partners": ["kcc", "nhs", "probation"],
                "themes": ["reoffend"],
                "target": date(2027, 1, 31),
                "updates": [
                    (G, "Survey of conference members closed with 212 responses."),
                    (
                        A,
                        "Improvement workshop moved from July to September because of summer leave.",
                    ),
                    (
                        G,
                        "Workshop held; a shorter agenda and a shared referral form agreed for piloting in two areas.",
                    ),
                    (
                        G,
                        "Pilot running in two areas since October; early feedback says cases are heard sooner.",
                    ),
                ],
            },
        ],
        "indicators": [
            (
                "Domestic abuse-related crimes recorded by police",
                "crimes",
                "lower_is_better",
                "Kent Police",
                [5310, 5482, 5590, 5420],
                [5120, 5230, 5402, 5515],
            ),
            (
                "Referrals to the integrated domestic abuse service",
                "referrals",
                "higher_is_better",
                "KCC commissioning",
                [4105, 4230, 4398, 4512],
                [3880, 3925, 4011, 4102],
            ),
        ],
    },
    {
        "name": "Road Safety",
        "lead_role": "Assistant Director for Building and Customer Safety, Kent Fire and Rescue Service",
        "includes": "Casualty reduction, young and older road users, motorcyclists",
        "leads": ["road_lead"],
        "actions": [
            {
                "title": "Deliver road safety experience sessions to secondary school pupils",
                "owner": "fire",
                "partners": ["kcc", "police"],
                "themes": ["early"],
                "target": date(2027, 3, 31),
                "updates": [
                    (G, "1,450 pupils from 14 schools attended in April and May."),
                    (G, "Summer term bookings full; new module on e-scooters added."),
                    (
                        A,
                        "Two schools cancelled in September because of transport costs; looking for a sponsor to cover coaches.",
                    ),
                    None,
                ],
            },
            {
                "title": "Run targeted campaigns for young drivers and motorcyclists using collision data",
                "owner": "kcc",
                "partners": ["fire", "police"],
                "themes": ["early", "quality"],
                "target": date(2027, 3, 31),
                "updates": [
                    (G, "Spring motorcycle campaign ran on social media and at three biker cafés."),
                    (
                        G,
                        "Young driver campaign planned with the data group, focusing on rural roads at night.",
                    ),
                    (
                        G,
                        "Campaign ran through September; 410,000 impressions and 2,300 visits to the advice pages.",
                    ),
                    (
                        G,
                        "Evaluation under way; the data group will compare casualty figures for the autumn against last year.",
                    ),
                ],
            },
            {
                "title": "Agree a shared calendar of road safety events across partners",
                "owner": "fire",
                "partners": ["kcc", "police", "medway"],
                "themes": ["quality"],
                "target": date(2026, 9, 30),
                "state": "closed",
                "updates": [
                    (G, "First draft calendar circulated to the casualty reduction partnership."),
                    (G, "Calendar agreed and published on the partnership's shared site."),
                    (
                        G,
                        "Calendar is now kept up to date by the partnership secretariat as routine: closing as business as usual.",
                    ),
                    None,
                ],
            },
            {
                "title": "Pilot average speed cameras on two rural routes with high casualty rates",
                "owner": "kcc",
                "partners": ["police", "pcc"],
                "themes": ["quality"],
                "target": date(2027, 3, 31),
                "updates": [
                    (
                        A,
                        "Routes chosen; business case with the Police and Crime Commissioner's office.",
                    ),
                    (
                        R,
                        "Funding bid unsuccessful in the first round; installation cannot start this year without another source.",
                    ),
                    (
                        R,
                        "Second bid submitted. If it fails, the pilot will need to move to the 2027/28 plan.",
                    ),
                    (
                        R,
                        "No decision on the second bid yet. Recommend the working group notes the risk to the target date.",
                    ),
                ],
            },
        ],
        "indicators": [
            (
                "People killed or seriously injured on the county's roads",
                "people",
                "lower_is_better",
                "KCC highways collision data",
                [118, 126, 131, 104],
                [121, 119, 140, 112],
            ),
            (
                "Young drivers aged 17 to 24 killed or seriously injured",
                "people",
                "lower_is_better",
                "KCC highways collision data",
                [21, 24, 19, 17],
                [19, 22, 25, 20],
            ),
        ],
    },
    {
        "name": "Anti-Social Behaviour",
        "lead_role": "Superintendent of Partnerships and Child Centred Policing, Kent Police",
        "includes": "Neighbour disputes, environmental crime, deliberate fires",
        "leads": ["police_lead"],
        "actions": [
            {
                "title": "Deliver an anti-social behaviour training programme for partner staff",
                "owner": "kcst",
                "partners": ["police", "maidstone", "thanet"],
                "themes": ["early", "quality"],
                "target": date(2027, 3, 31),
                "updates": [
                    (
                        G,
                        "Programme agreed: six webinars on tools and powers, case reviews and victim care.",
                    ),
                    (G, "Three webinars delivered to 265 staff from 12 organisations."),
                    (
                        G,
                        "Fourth webinar, on the community trigger, had the highest attendance so far.",
                    ),
                    (
                        G,
                        "Final two sessions booked for January; materials shared on the partners' site.",
                    ),
                ],
            },
            {
                "title": "Review use of the community trigger (anti-social behaviour case review) in each district",
                "owner": "police",
                "partners": ["maidstone", "thanet", "medway"],
                "themes": ["reoffend", "quality"],
                "target": date(2026, 12, 31),
                "updates": [
                    (A, "Data requested from all districts; four have replied so far."),
                    (
                        A,
                        "Eleven of twelve returns received; definitions differ, which makes comparison hard.",
                    ),
                    None,
                    (
                        G,
                        "Common recording template agreed and the draft report is with the working group for comment.",
                    ),
                ],
            },
            {
                "title": "Reduce deliberate secondary fires through targeted patrols and youth engagement",
                "owner": "fire",
                "partners": ["police", "thanet"],
                "themes": ["early", "quality"],
                "target": date(2027, 3, 31),
                "updates": [
                    (G, "Hotspot map shared with neighbourhood teams ahead of the summer."),
                    (
                        R,
                        "Deliberate fires in July were 40% above last year during the heatwave; extra patrols in two hotspots.",
                    ),
                    (
                        A,
                        "Numbers fell back in September; youth diversion sessions started in Margate and Sheerness.",
                    ),
                    (
                        G,
                        "October figures below last year. Diversion sessions to continue through the winter.",
                    ),
                ],
            },
            {
                "title": "Publish a partnership guide to handling neighbour disputes early",
                "owner": "maidstone",
                "partners": ["police", "kcst"],
                "themes": ["early", "mental"],
                "target": date(2026, 10, 31),
                "updates": [
                    (A, "Drafting group set up; mediation providers asked for examples."),
                    (A, "Draft slowed by staff changes at one district; new author found."),
                    (R, "Draft is three months late and legal review has not started."),
                    None,
                ],
            },
        ],
        "indicators": [
            (
                "Anti-social behaviour incidents reported to police",
                "incidents",
                "lower_is_better",
                "Kent Police",
                [6120, 7485, 6930, 5870],
                [6510, 7820, 7010, 6090],
            ),
            (
                "Deliberate secondary fires",
                "fires",
                "lower_is_better",
                "Kent Fire and Rescue Service",
                [212, 388, 241, 160],
                [198, 276, 230, 171],
            ),
        ],
    },
    {
        "name": "Substance Misuse",
        "lead_role": "Consultant in Public Health, Kent County Council",
        "includes": "Drugs and alcohol, treatment and recovery, drug-related harm",
        "leads": ["council_lead"],
        "actions": [
            {
                "title": "Support the combating drugs partnership to deliver its local action plan",
                "owner": "kcc",
                "partners": ["police", "nhs", "probation"],
                "themes": ["reoffend", "mental"],
                "target": date(2027, 3, 31),
                "updates": [
                    (G, "Partnership action plan refreshed with twelve priority areas."),
                    (G, "Six-monthly progress report presented to the partnership; on track."),
                    (
                        A,
                        "Two workstreams on housing for people in recovery are behind because of a vacancy.",
                    ),
                    (
                        A,
                        "Post recruited, starting in December; housing workstreams expected to catch up by March.",
                    ),
                ],
            },
            {
                "title": "Raise awareness of drug-related harm among young people and their parents",
                "owner": "kcc",
                "partners": ["kcst", "police"],
                "themes": ["early"],
                "target": date(2027, 3, 31),
                "updates": [
                    (
                        G,
                        "Resources for parents published; assemblies booked in 20 secondary schools.",
                    ),
                    (G, "Festival-season campaign on drug checking and heat ran in June and July."),
                    (G, "Assemblies delivered in 18 schools; two moved to the spring term."),
                    (
                        G,
                        "Campaign evaluation shared with the working group: reach above target in every district.",
                    ),
                ],
            },
            {
                "title": "Improve routes into treatment for people leaving prison",
                "owner": "probation",
                "partners": ["nhs", "kcc"],
                "themes": ["reoffend", "mental"],
                "target": date(2027, 3, 31),
                "updates": [
                    (A, "Continuity of care rate is 41%; a navigator post is being recruited."),
                    (
                        A,
                        "Navigator started in July and is meeting people at the gate for two prisons.",
                    ),
                    (G, "Continuity rate up to 52% for August and September releases."),
                    None,
                ],
            },
            {
                "title": "Carry out a multi-agency audit of drug-related deaths",
                "owner": "kcc",
                "partners": ["nhs", "police"],
                "themes": ["mental"],
                "target": date(2026, 9, 30),
                "state": "completed",
                "updates": [
                    (G, "Case list agreed with the coroner's office; 38 deaths in scope."),
                    (
                        G,
                        "Case reviews finished; themes include isolation after hospital discharge.",
                    ),
                    (
                        G,
                        "Audit report accepted by the combating drugs partnership. Complete: its recommendations are tracked in that partnership's plan.",
                    ),
                    None,
                ],
            },
            {
                "title": "Map where naloxone kits are held in partner buildings and fill the gaps",
                "owner": "kcc",
                "partners": ["police", "fire", "maidstone", "thanet"],
                "themes": ["early", "mental"],
                "start": date(2026, 10, 15),
                "target": date(2027, 3, 31),
                "updates": [None, None, None, None],
            },
        ],
        "indicators": [
            (
                "Adults in structured drug and alcohol treatment",
                "adults",
                "higher_is_better",
                "National drug treatment monitoring",
                [5260, 5345, 5410, 5488],
                [5020, 5100, 5150, 5230],
            ),
            (
                "Alcohol-specific hospital admissions",
                "admissions",
                "lower_is_better",
                "NHS Kent and Medway",
                [1012, 1090, 1045, 998],
                [970, 1031, 1002, 1015],
            ),
        ],
    },
    {
        "name": "Serious Violence and Organised Crime",
        "lead_role": "Head of Serious Crime Command, Kent Police",
        "includes": "Organised crime groups, gangs and county lines, modern slavery and human trafficking, violence reduction",
        "leads": ["police_lead"],
        "actions": [
            {
                "title": "Deliver the partnership's duties under the serious violence duty with the violence reduction unit",
                "owner": "vru",
                "partners": ["police", "kcc", "nhs", "probation"],
                "themes": ["early", "reoffend"],
                "target": date(2027, 3, 31),
                "updates": [
                    (G, "Strategic needs assessment refreshed and shared with all partnerships."),
                    (G, "Response strategy agreed by the violence reduction unit's board."),
                    (
                        A,
                        "Funding for 2027/28 not yet confirmed nationally; some interventions may pause in April.",
                    ),
                    (
                        A,
                        "Partners asked to identify bridging funding. Decision expected at the January board.",
                    ),
                ],
            },
            {
                "title": "Train partner staff to spot exploitation and modern slavery",
                "owner": "kcst",
                "partners": ["police", "maidstone", "thanet", "medway"],
                "themes": ["early", "reoffend"],
                "target": date(2027, 3, 31),
                "updates": [
                    (G, "Eight sessions planned with the police modern slavery team."),
                    (
                        G,
                        "Four sessions delivered to 190 staff, including licensing and housing officers.",
                    ),
                    None,
                    (
                        G,
                        "All eight sessions delivered; 96% of attendees said they knew how to report concerns.",
                    ),
                ],
            },
            {
                "title": "Close down county lines through joint action on cuckooed addresses",
                "owner": "police",
                "partners": ["kcc", "thanet", "medway"],
                "themes": ["reoffend", "quality"],
                "target": date(2027, 3, 31),
                "updates": [
                    (
                        G,
                        "Joint visits made to 46 addresses where vulnerable tenants were being exploited.",
                    ),
                    (
                        A,
                        "Housing support for tenants after closure orders is inconsistent between districts.",
                    ),
                    (
                        R,
                        "Two tenants were re-exploited within a month of their homes being closed; a shared protocol is needed urgently.",
                    ),
                    (
                        R,
                        "Draft protocol written but not yet agreed by three districts. Escalated to the partnership.",
                    ),
                ],
            },
            {
                "title": "Run weapons awareness sessions in schools with a high rate of exclusions",
                "owner": "vru",
                "partners": ["kcc", "police"],
                "themes": ["early"],
                "target": date(2027, 3, 31),
                "updates": [
                    None,
                    (A, "Provider procurement delayed; sessions will start in the autumn term."),
                    (G, "Provider appointed and 12 schools signed up."),
                    (G, "First six schools visited; staff guidance issued with each session."),
                ],
            },
        ],
        "indicators": [
            (
                "Violence with injury offences",
                "offences",
                "lower_is_better",
                "Kent Police",
                [2810, 3045, 2930, 2760],
                [2750, 2990, 3012, 2840],
            ),
            (
                "Active county lines operating in the county",
                "lines",
                "lower_is_better",
                "Kent Police",
                [54, 51, 49, 46],
                [63, 60, 58, 55],
            ),
        ],
    },
    {
        "name": "Safeguarding Vulnerable People",
        "lead_role": "Group Head of Public Protection, Kent County Council",
        "includes": "Child sexual exploitation, scams and fraud, cybercrime, victims, people at risk of exploitation",
        "leads": ["council_lead"],
        "actions": [
            {
                "title": "Protect older residents from scams through trading standards and partner visits",
                "owner": "kcc",
                "partners": ["police", "fire", "maidstone"],
                "themes": ["early", "quality", "reoffend"],
                "target": date(2027, 3, 31),
                "updates": [
                    (
                        G,
                        "Call blockers fitted for 85 residents identified by the police fraud team.",
                    ),
                    (
                        G,
                        "Scam awareness leaflet sent with council tax letters to 60,000 homes aged over 65.",
                    ),
                    (G, "Home safety visits by the fire service now include a scams check."),
                    (
                        G,
                        "Savings to residents estimated at £410,000 this year from intercepted payments.",
                    ),
                ],
            },
            {
                "title": "Deliver suicide prevention training to community safety partners",
                "owner": "kcc",
                "partners": ["nhs", "police", "fire"],
                "themes": ["mental"],
                "target": date(2027, 3, 31),
                "updates": [
                    (G, "Free online course promoted to all partner agencies."),
                    (
                        A,
                        "Take-up by district council staff is low; managers asked to release time.",
                    ),
                    (
                        A,
                        "Completion rate rising slowly: 310 partner staff so far against a target of 600.",
                    ),
                    None,
                ],
            },
            {
                "title": "Raise awareness of online safety and cybercrime among young people",
                "owner": "police",
                "partners": ["kcc", "kcst"],
                "themes": ["early"],
                "target": date(2027, 2, 28),
                "updates": [
                    (A, "Content being updated to cover AI-generated images and sextortion."),
                    (G, "Updated sessions piloted in three schools with good feedback from staff."),
                    (G, "Roll-out to all secondary schools planned for the spring term."),
                    (G, "Teachers' pack published ahead of Safer Internet Day."),
                ],
            },
            {
                "title": "Agree a county approach to supporting adults at risk of exploitation who are not eligible for care",
                "owner": "kcc",
                "partners": ["police", "nhs", "probation", "medway"],
                "themes": ["reoffend", "mental", "quality"],
                "target": date(2027, 3, 31),
                "updates": [
                    None,
                    None,
                    (A, "Workshop held with the safeguarding adults board to scope the gap."),
                    None,
                ],
            },
        ],
        "indicators": [
            (
                "Fraud and cybercrime reports from residents",
                "reports",
                "lower_is_better",
                "National fraud reporting centre",
                [3120, 3215, 3380, 3290],
                [2980, 3050, 3190, 3310],
            ),
            (
                "Residents given call blockers or scam interventions",
                "residents",
                "higher_is_better",
                "KCC trading standards",
                [85, 120, 164, 190],
                [60, 74, 95, 110],
            ),
        ],
    },
    {
        "name": "Preventing Extremism and Hate",
        "lead_role": "Prevent and Channel Strategic Manager, Kent County Council",
        "includes": "Preventing violent extremism, counter-terrorism, hate crime",
        "leads": ["council_lead"],
        "actions": [
            {
                "title": "Deliver Prevent awareness training to partner agencies",
                "owner": "kcc",
                "partners": ["police", "fire", "nhs"],
                "themes": ["early"],
                "target": date(2027, 3, 31),
                "updates": [
                    (G, "Training plan agreed; 14 sessions across the county this year."),
                    (G, "Seven sessions delivered to 340 staff."),
                    (
                        G,
                        "New module on online radicalisation of young people added after the counter-terrorism local profile.",
                    ),
                    (G, "Twelve of 14 sessions delivered; the rest booked for February."),
                ],
            },
            {
                "title": "Run activities for hate crime awareness week with district partners",
                "owner": "kcst",
                "partners": ["police", "maidstone", "thanet", "medway"],
                "themes": ["quality", "reoffend"],
                "target": date(2026, 10, 31),
                "state": "completed",
                "updates": [
                    (G, "Planning group set up with the hate crime forum."),
                    (
                        G,
                        "Events confirmed in nine districts, with a focus on disability hate crime.",
                    ),
                    (G, "Materials printed; social media plan agreed."),
                    (
                        G,
                        "Week delivered in October with 22 events. Complete; lessons noted for next year's plan.",
                    ),
                ],
            },
            {
                "title": "Update the partnership's hate crime and community tension monitoring process",
                "owner": "police",
                "partners": ["kcc", "maidstone", "thanet"],
                "themes": ["quality"],
                "target": date(2026, 12, 31),
                "updates": [
                    (
                        A,
                        "Current process reviewed; weekly tension reports are not reaching all districts.",
                    ),
                    (A, "New distribution list and template drafted."),
                    None,
                    None,
                ],
            },
        ],
        "indicators": [
            (
                "Hate crimes and incidents recorded",
                "incidents",
                "lower_is_better",
                "Kent Police",
                [905, 968, 940, 912],
                [860, 901, 955, 930],
            ),
            (
                "Partner staff trained in Prevent awareness",
                "staff",
                "higher_is_better",
                "KCC Prevent team",
                [120, 340, 420, 610],
                [95, 260, 330, 470],
            ),
        ],
    },
]

# The context a priority's lead wrote for a period, as it goes to the board: paragraphs
# separated by blank lines, citing numbered source notes like [1]. Keyed by priority name,
# then by the period's place in PERIODS.
NARRATIVES: dict[str, dict[int, tuple[str, str]]] = {
    "Domestic Abuse": {
        2: (
            "Recorded domestic abuse crime rose again over the summer, in line with the "
            "seasonal pattern of earlier years [1]. More of the increase than usual came from "
            "reports of coercive control, which the police attribute to officer training "
            "rather than to more offending.\n\n"
            "Referrals to the integrated service kept pace with demand, and waiting times for "
            "a first contact stayed within the contract standard [2].",
            "Kent Police crime recording data, August and September 2026\n"
            "Integrated domestic abuse service quarterly contract report",
        ),
        3: (
            "Recorded crimes fell slightly in October and November and are now below the same "
            "period last year for the first time this plan year [1].\n\n"
            "Referrals to the integrated service are 10% above last year. The working group "
            "reads this as a sign that more victims are being reached, not of rising harm, "
            "because repeat referrals are down [2].\n\n"
            "One domestic homicide review is delayed while the overview report is redrafted; "
            "the family have been kept informed throughout.",
            "Kent Police crime recording data, October and November 2026\n"
            "Integrated domestic abuse service performance dashboard, November 2026",
        ),
    },
    "Road Safety": {
        3: (
            "People killed or seriously injured on the county's roads remain above the same "
            "period last year [1], with motorcyclists over-represented among the seriously "
            "injured.\n\n"
            "The winter campaign on drink and drug driving starts in December, and the "
            "motorcycle safety scheme is being extended to two more districts.",
            "Kent Police collision records, provisional figures to the end of November 2026",
        ),
    },
    "Anti-Social Behaviour": {
        2: (
            "Reports of anti-social behaviour peaked in August, as in most summers [1].\n\n"
            "District community safety units ran joint patrols at the main hotspots.",
            "Kent Police incident data, August and September 2026",
        ),
        3: (
            "Anti-social behaviour incidents are down on the same period last year in eleven of "
            "the twelve districts [1].\n\n"
            "The new case review process has handled its first four applications, all within "
            "the timescale in the guidance [2].",
            "Kent Police incident data, October and November 2026\n"
            "Anti-social behaviour case review log held by the community safety team",
        ),
    },
    "Substance Misuse": {
        3: (
            "Numbers starting treatment are up on last year, helped by the new outreach posts "
            "in the two largest towns [1].\n\n"
            "Drug-related deaths data for the year will not be published until the spring.",
            "Treatment provider monthly activity returns, November 2026",
        ),
    },
}

# The partnership's grant for the year and the projects it pays for: (funder, year, amount,
# notes) and, per project, (name, amount, status, lead organisation, priority names, start,
# end, what it achieved, reach, what the reach counts).
GRANT = (
    "Police and Crime Commissioner",
    "2026/27",
    "39661",
    "For county-wide projects that support the agreement's priorities and the Police and "
    "Crime Plan. Partners bid twice a year; the working group checks each bid against the "
    "grant's criteria.",
)
GRANT_PROJECTS = [
    (
        "Theatre show on road risks for young people",
        "6000",
        "delivered",
        "Kent Fire and Rescue Service",
        ["Road Safety"],
        date(2026, 10, 1),
        date(2026, 11, 30),
        "A touring performance for secondary schools on the choices that put young drivers "
        "and passengers at risk, with a follow-up lesson plan for teachers.",
        8000,
        "pupils attended",
    ),
    (
        "Scam awareness leaflets",
        "1000",
        "approved",
        "Kent County Council",
        ["Safeguarding Vulnerable People"],
        date(2026, 7, 1),
        date(2027, 3, 31),
        "Pocket-sized leaflets on spotting scams and where to report them, handed out by "
        "drivers and volunteers who visit people at home.",
        5000,
        "leaflets distributed",
    ),
    (
        "Domestic homicide review costs",
        "12000",
        "approved",
        "Kent Community Safety Team",
        ["Domestic Abuse"],
        date(2026, 4, 1),
        date(2027, 3, 31),
        "The county's share of independent chairs and practitioner learning events for "
        "statutory reviews.",
        None,
        "",
    ),
    (
        "Youth diversion workshops",
        "4500",
        "proposed",
        "Kent and Medway Violence Reduction Unit",
        ["Serious Violence and Organised Crime", "Anti-Social Behaviour"],
        date(2027, 1, 1),
        date(2027, 3, 31),
        "",
        None,
        "",
    ),
]
