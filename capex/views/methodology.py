"""The methodology page: how totals count, in the words the rest of the site and the API rely on."""

from django.views.generic import TemplateView

from capex.choices import Measure


class MethodologyView(TemplateView):
    template_name = "capex/methodology.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["measures"] = Measure.choices
        return context
