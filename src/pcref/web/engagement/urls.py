from django.urls import path

from pcref.web.engagement.views import groups, hub, moderation, network, staff_network

app_name = "engagement"

urlpatterns = [
    # Public: the co-creation network and self-service through a signed link.
    path("co-creation-network/join/", network.join, name="network_join"),
    path("co-creation-network/joined/", network.joined, name="network_joined"),
    path("co-creation-network/your-details/", network.request_link, name="request_link"),
    path("co-creation-network/link-sent/", network.link_sent, name="link_sent"),
    path(
        "co-creation-network/your-details/<str:token>/",
        network.member_details,
        name="member_details",
    ),
    path(
        "co-creation-network/your-details/<str:token>/download.<str:file_format>",
        network.member_download,
        name="member_download",
    ),
    path(
        "co-creation-network/your-details/<str:token>/consent/",
        network.member_consent,
        name="member_consent",
    ),
    path(
        "co-creation-network/your-details/<str:token>/delete/",
        network.member_erase,
        name="member_erase",
    ),
    path("co-creation-network/deleted/", network.member_erased, name="member_erased"),
    # Public: the BAME Co-Creation Hub.
    path("co-creation-hub/", hub.hub, name="hub"),
    path("co-creation-hub/topics/<int:pk>/", hub.topic, name="hub_topic"),
    path("co-creation-hub/topics/<int:pk>/contribute/", hub.contribute, name="hub_contribute"),
    path("co-creation-hub/suggest-a-topic/", hub.suggest_topic, name="hub_suggest_topic"),
    path("co-creation-hub/thank-you/", hub.thanks, name="hub_thanks"),
    path("co-creation-hub/contributions/<int:pk>/report/", hub.report, name="hub_report"),
    # Staff: the network.
    path("engagement/network/", staff_network.members, name="network_members"),
    path("engagement/network/export.csv", staff_network.members_export, name="network_export"),
    path("engagement/consent-wording/", staff_network.consent_wording, name="consent_wording"),
    # Staff: hub moderation.
    path("engagement/hub/", moderation.queue, name="hub_moderation"),
    path(
        "engagement/hub/contributions/<int:pk>/",
        moderation.moderate_contribution,
        name="moderate_contribution",
    ),
    path("engagement/hub/topics/<int:pk>/", moderation.moderate_topic, name="moderate_topic"),
    path("engagement/hub/topics/new/", moderation.new_topic, name="hub_new_topic"),
    path("engagement/hub/blocked/", moderation.blocks, name="hub_blocks"),
    # Staff: partnership groups and the Triangle of Care.
    path("engagement/groups/", groups.groups, name="groups"),
    path("engagement/groups/<slug:kind>/", groups.group, name="group"),
    path("engagement/groups/<slug:kind>/add-member/", groups.add_member, name="group_add_member"),
    path("engagement/groups/<slug:kind>/meetings/new/", groups.new_meeting, name="new_meeting"),
    path("engagement/meetings/<int:pk>/", groups.meeting, name="meeting"),
    path("engagement/triangle-of-care/", groups.toc_assessments, name="toc_assessments"),
    path("engagement/triangle-of-care/new/", groups.toc_new, name="toc_new"),
    path("engagement/triangle-of-care/<int:pk>/", groups.toc_assessment, name="toc_assessment"),
]
