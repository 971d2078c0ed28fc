from django.db import models


class PublisherKind(models.TextChoices):
    COMPANY = "company", "Company (first party)"
    REGULATOR = "regulator", "Regulator or filing"
    NEWSWIRE = "newswire", "Newswire"
    NEWS_OUTLET = "news_outlet", "News outlet"
    ANALYST = "analyst", "Analyst"
    AGGREGATOR = "aggregator", "Aggregator"
    AI_GENERATED = "ai_generated", "AI-generated"


class Reliability(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class SourceKind(models.TextChoices):
    ARTICLE = "article", "Article"
    FILING = "filing", "Filing"
    PRESS_RELEASE = "press_release", "Press release"
    EARNINGS_CALL = "earnings_call", "Earnings call"
    BLOG_POST = "blog_post", "Blog post"
    SOCIAL_POST = "social_post", "Social media post"
    OTHER = "other", "Other"
