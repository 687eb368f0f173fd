# Parley web pages — français.
nav-my-results = Mes résultats
nav-my-requests = Mes demandes
nav-sign-out = Se déconnecter
nav-language = Langue

signin-title = Connexion
signin-intro = Pas de mot de passe : nous vous envoyons par email un lien qui vous connecte.
signin-email = Votre adresse email
signin-submit = Recevoir un lien de connexion
signin-sent = Si { $email } correspond à un compte Parley, un lien de connexion vous a été envoyé. Il fonctionne une fois, pendant 30 minutes.
signin-expired = Ce lien de connexion a expiré ou a déjà servi. Demandez-en un nouveau ci-dessous.

list-empty = Aucune demande pour l’instant.
list-empty-filtered = Aucune demande ne correspond à ces filtres.
list-handle = Traiter la demande
list-view = Voir la demande
list-next = Page suivante

filters = Filtres
filter-type = Type d’action des prospects
filter-type-requests = Demandes
filter-from = Du
filter-to = Au
filter-marketplace = Marketplace
filter-all-marketplaces = Toutes les marketplaces
filter-product = Produit
filter-all-products = Tous les produits
filter-country = Pays
filter-all-countries = Tous les pays
filter-status = Statut
filter-all = Tous
status-new = Non traitée
status-answered = Traitée
filter-apply = Appliquer

request-buyer = Acheteur
request-display-number = Afficher le numéro
request-no-phone = L’acheteur n’a pas laissé de numéro.
request-text = Demande
request-not-sent = Votre message n’a pas été envoyé :

form-to = À
form-sender = Expéditeur
form-copy = Copie
form-message = Message
form-attach = Joindre un document (PDF, { $mb } MB max)
form-quote = Devis
form-other = Autre document
form-document = Document
form-send = Envoyer

history-title = Historique des échanges
history-full-email = Afficher l'email complet
history-original = Reçu par email · original (.eml)
history-message = Message
history-read-on = Lu le { $date }
history-request-received = Demande reçue via { $marketplace }
history-routed = Demande transmise à { $to }
history-contacted = A contacté l’acheteur
history-phone = A affiché le numéro de l’acheteur
history-read = A lu un message
history-opened = A ouvert { $filename }
history-reminded = A relancé l’acheteur
request-remind = Relancer l’acheteur
request-reminded = L’acheteur a été relancé par email.
request-reminded-already = L’acheteur a déjà été relancé aujourd’hui.
doc-quote = Devis
doc-other = Document

page-not-found = Introuvable
page-not-found-text = Il n’y a rien ici pour vous. Le lien est peut-être erroné, ou destiné à quelqu’un d’autre.
page-expired = Veuillez réessayer
page-expired-text = Ce formulaire a expiré. Revenez en arrière, rechargez la page et renvoyez-le.
page-failed = Un problème est survenu
page-failed-text = Un problème est survenu de notre côté. Rien de ce que vous avez envoyé n’est perdu ; veuillez réessayer.
page-back = Retour à mes demandes

error-message_empty = Le champ message est vide.
error-sender_empty = Le champ « Expéditeur » est vide : veuillez renseigner votre adresse email.
error-sender_invalid = L’adresse email « Expéditeur » est incorrecte.
error-cc_invalid = L’une des adresses email « Copie » est incorrecte.
error-file_too_large = Vous avez joint un fichier de plus de { $mb } MB.
error-document_not_pdf = Seuls les documents PDF peuvent être envoyés.
error-document_kind_invalid = Choisissez « Devis » ou « Autre document ».
error-party_required = Choisissez le vendeur à qui s’adresse ce message.
