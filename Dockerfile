FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=leadfunnel.settings.production
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
 && SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py catalogues compile

RUN useradd --create-home leadfunnel && mkdir -p var && chown leadfunnel var
USER leadfunnel
EXPOSE 8000
CMD ["gunicorn", "leadfunnel.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
