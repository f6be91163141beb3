# The image docker-compose.yml runs Airflow from: Apache Airflow 3.3 with the hub's runtime
# dependencies (requirements.txt, the exact lock) installed once, at build time, instead
# of by pip at every container start. The hub's code (scripts/, dags/, schema/,
# procedures/) is mounted read-only at /opt/hub by docker-compose.yml, so a change of the
# code needs no rebuild; a change of requirements.txt does (docker compose build).
FROM apache/airflow:3.3.2-python3.11

COPY requirements.txt /tmp/hub-requirements.txt
RUN pip install --no-cache-dir --disable-pip-version-check -r /tmp/hub-requirements.txt

ENV PYTHONPATH=/opt/hub/scripts
