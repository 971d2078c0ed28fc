from django.db import models


class CompanyKind(models.TextChoices):
    PLATFORM = "platform", "Platform or hyperscaler"
    CHIP_VENDOR = "chip_vendor", "Chip vendor"
    AI_LAB = "ai_lab", "AI lab"
    JOINT_VENTURE = "joint_venture", "Joint venture"
    FUND = "fund", "Fund"
    OTHER = "other", "Other"


class CapexConcept(models.TextChoices):
    """The us-gaap concepts that carry a company's cash capital expenditure in its cash-flow statement."""

    PPE = "PaymentsToAcquirePropertyPlantAndEquipment", "Payments to acquire property, plant and equipment"
    PRODUCTIVE_ASSETS = "PaymentsToAcquireProductiveAssets", "Payments to acquire productive assets"
